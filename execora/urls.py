from django.contrib import admin
from django.urls import include, path

from execora import views
from reminders.webhooks import whatsapp_webhook

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("execora.api.urls")),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
