from django.contrib import admin
from django.urls import include, path

from execora import views
from reminders.webhooks import whatsapp_webhook

urlpatterns = [
    path("", views.home, name="home"),
    path("console/dashboard/", views.console_dashboard, name="console-dashboard"),
    path("console/invoices/<int:invoice_id>/", views.console_invoice, name="console-invoice"),
    path("console/language/", views.console_language, name="console-language"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("execora.api.urls")),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
