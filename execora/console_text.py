"""The console's words that its JavaScript shows, translated here so one .po file holds them all."""

from __future__ import annotations

from django.utils.translation import gettext as _


def console_messages() -> dict[str, object]:
    """Strings for static/voice/console/*.js in the request's active language."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected. Hold the button and speak."),
        "reconnecting": _("Server unreachable. Reconnecting in {seconds} s…"),
        "reconnectingNow": _("Server unreachable. Reconnecting…"),
        "holdToTalk": _("Hold to talk"),
        "listening": _("Listening… let go when done"),
        "handsFreeOn": _("Hands-free: listening for “Suno Execora”"),
        "working": _("Got it — working on it…"),
        "noMic": _(
            "The microphone is blocked. Allow it in the browser's site settings, "
            "or type your command below."
        ),
        "noMicDevice": _("No microphone was found. You can type your command below."),
        "insecure": _("The microphone needs a secure (https) page. You can type below."),
        "serverError": _("The server could not do that: {message}"),
        "notConnected": _("Not connected yet — wait a moment and try again."),
        "done": _("Done"),
        "answered": _("Answer"),
        "refused": _("Not done"),
        "cancelled": _("Cancelled — nothing was written."),
        "newBalance": _("New balance"),
        "invoice": _("Invoice"),
        "total": _("Total"),
        "due": _("Due"),
        "reminderAt": _("Reminder at"),
        "stock": _("Stock now"),
        "amount": _("Amount"),
        "confidence": _("Sure"),
        "entities": {
            "customer": _("Customer"),
            "amount": _("Amount"),
            "items": _("Items"),
            "product": _("Product"),
            "quantity": _("Quantity"),
            "unit": _("Unit"),
            "unit_price": _("Price"),
            "payment_mode": _("Paid by"),
            "when": _("When"),
            "date": _("Date"),
            "invoice_number": _("Invoice number"),
            "phone": _("Phone"),
            "note": _("Note"),
        },
        "intents": {
            "create_customer": _("New customer"),
            "check_balance": _("Check balance"),
            "add_credit": _("Udhaar (credit)"),
            "record_payment": _("Payment received"),
            "create_invoice": _("New bill"),
            "cancel_invoice": _("Cancel bill"),
            "send_invoice": _("Send bill"),
            "create_reminder": _("Payment reminder"),
            "cancel_reminder": _("Cancel reminder"),
            "modify_reminder": _("Change reminder"),
            "list_reminders": _("Reminders"),
            "check_stock": _("Check stock"),
            "add_stock": _("Stock received"),
            "set_price": _("Set price"),
            "create_product": _("New product"),
            "daily_summary": _("Day's summary"),
            "total_dues": _("Total dues"),
            "customer_statement": _("Statement"),
            "confirm": _("Yes"),
            "deny": _("No"),
            "undo": _("Undo"),
            "help": _("Help"),
            "unknown": _("Not understood"),
        },
    }
