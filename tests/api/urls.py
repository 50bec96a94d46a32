"""The public API plus test-only views (tests/api/views.py)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tests.api import views

router = SimpleRouter()
router.register("memberships", views.MembershipViewSet, basename="test-membership")

urlpatterns = [
    path("api/v1/test/", include(router.urls)),
    path("api/v1/test/rows/", views.RowView.as_view()),
    path("api/v1/test/raise/<str:kind>/", views.RaiseView.as_view()),
    path("api/v1/", include("execora.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
]
