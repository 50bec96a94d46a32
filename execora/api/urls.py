"""/api/v1/: resource routes, token login, `me`, the OpenAPI schema and Swagger UI.

Apps register their viewsets on `router` here (each app's `apis.py` holds them).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from customers.apis import CustomerViewSet
from execora.api import views
from invoices.apis import InvoiceViewSet, ReportViewSet
from ledger.apis import CustomerKhataViewSet, JournalEntryViewSet, PaymentViewSet
from products.apis import ProductViewSet
from reminders.apis import ReminderViewSet, WhatsAppMessageViewSet
from voice.apis import CommandViewSet, VoiceCommandViewSet, VoiceSessionViewSet

router = DefaultRouter()
# The khata actions (customers/{id}/ledger/, credit/, opening-balance/) before the
# customers themselves, so the API root links "customers" to the customer list.
router.register("customers", CustomerKhataViewSet, basename="customer-khata")
router.register("customers", CustomerViewSet, basename="customer")
router.register("products", ProductViewSet, basename="product")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("reports", ReportViewSet, basename="report")
router.register("payments", PaymentViewSet, basename="payment")
router.register("ledger-entries", JournalEntryViewSet, basename="ledger-entry")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("messages", WhatsAppMessageViewSet, basename="message")
router.register("commands", CommandViewSet, basename="command")
router.register("voice/commands", VoiceCommandViewSet, basename="voice-command")
router.register("voice-sessions", VoiceSessionViewSet, basename="voice-session")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
