"""Invoices in the back office: issued through `invoice_create`, never edited, cancelled by owners.

The add page is the service's own form (customer, lines, payment), not a
model form; an issued invoice is shown read-only and cannot be deleted;
"Cancel" calls `invoice_cancel`, which reverses the entry and restores stock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from customers.models import Customer
from execora.admin_forms import (
    BooksAdmin,
    Operation,
    OperationsAdminMixin,
    inr,
    plain_quantity,
)
from execora.admin_scoping import ReadOnlyAdminMixin, ShopScopedInline
from execora.exceptions import ApplicationError
from execora.models import Business
from execora.money import ZERO
from invoices.admin_forms import (
    BaseInvoiceLineFormSet,
    InvoiceCreateForm,
    InvoiceLineForm,
    invoice_inputs,
)
from invoices.models import Document, Invoice, InvoiceItem, InvoiceSequence, InvoiceStatus
from invoices.selectors import gstr1_csv
from invoices.services import (
    MAX_ITEMS,
    document_read,
    invoice_cancel,
    invoice_create,
    invoice_document,
    invoice_send,
)
from products.models import Product

# Blank item rows on the new-invoice page (?lines=N asks for more, up to MAX_FORM_LINES).
DEFAULT_FORM_LINES = 8
MAX_FORM_LINES = 60
# "items[2].quantity" in a service error names line 3's quantity field.
_ITEM_FIELD = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")
# Service field names that differ from the form's.
_FORM_FIELD = {"customer_id": "customer", "product_id": "product"}


def _money_column(field: str, description: str) -> Callable[[Any, Invoice], str]:
    @admin.display(description=description, ordering=field)
    def column(self: Any, invoice: Invoice) -> str:
        return inr(getattr(invoice, field))

    column.__name__ = f"{field}_display"
    return column


class DuesFilter(admin.SimpleListFilter):
    title = "dues"
    parameter_name = "dues"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("due", "Amount due"), ("paid", "Fully paid")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "due":
            return queryset.filter(amount_due__gt=0)
        if self.value() == "paid":
            return queryset.filter(amount_due=0)
        return queryset


class InvoiceItemInline(ReadOnlyAdminMixin, ShopScopedInline):
    model = InvoiceItem
    fields = [
        "line_no",
        "description",
        "product",
        "hsn_code",
        "quantity",
        "unit",
        "unit_price",
        "discount",
        "gst_rate",
        "taxable_value",
        "cgst",
        "sgst",
        "igst",
        "line_total",
    ]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("product")


def _has_recipient(invoice: Invoice) -> bool:
    return invoice.customer_id is not None and bool(invoice.customer.phone)


def _is_issued(invoice: Invoice) -> bool:
    return invoice.status == InvoiceStatus.ISSUED


@admin.register(Invoice)
class InvoiceAdmin(OperationsAdminMixin, BooksAdmin):
    list_display = [
        "number",
        "invoice_date",
        "customer_display",
        "grand_total_display",
        "amount_paid_display",
        "amount_due_display",
        "status",
        "pdf_link",
    ]
    list_filter = ["status", DuesFilter, "payment_mode", "is_interstate", "invoice_date"]
    search_fields = ["number", "customer__name", "customer__phone", "notes"]
    date_hierarchy = "invoice_date"
    ordering = ["-invoice_date", "-pk"]
    list_select_related = ["customer"]
    list_per_page = 50
    inlines = [InvoiceItemInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "business",
                    "number",
                    "invoice_date",
                    "customer",
                    "status",
                    "place_of_supply",
                    "is_interstate",
                    "notes",
                ]
            },
        ),
        (
            "Totals",
            {
                "fields": [
                    "subtotal_display",
                    "discount_total_display",
                    "taxable_total_display",
                    "cgst_total_display",
                    "sgst_total_display",
                    "igst_total_display",
                    "round_off_display",
                    "grand_total_display",
                    "amount_paid_display",
                    "payment_mode",
                    "amount_due_display",
                ]
            },
        ),
        ("Books", {"fields": ["journal_entry", "cancel_entry", "created_by", "created_at"]}),
        ("Cancellation", {"fields": ["cancelled_at", "cancelled_by", "cancel_reason"]}),
    ]
    readonly_fields = [
        "created_at",
        "subtotal_display",
        "discount_total_display",
        "taxable_total_display",
        "cgst_total_display",
        "sgst_total_display",
        "igst_total_display",
        "round_off_display",
        "grand_total_display",
        "amount_paid_display",
        "amount_due_display",
    ]
    operations = (
        Operation(
            name="cancel_invoices",
            label="Cancel selected invoices",
            button_label="Cancel invoice",
            owner_only=True,
            applies_to=_is_issued,
            intro="Cancelling keeps the invoice and its number, puts its stock back and posts "
            "a reversing entry dated today, so the customer's balance drops by the bill.",
            submit_label="Cancel invoices",
        ),
        Operation(
            name="send_pdf",
            label="Send PDF on WhatsApp",
            button_label="Send PDF on WhatsApp",
            applies_to=_has_recipient,
            intro="The invoice PDF (stamped CANCELLED if it is) goes to the customer's "
            "WhatsApp as a document; the message shows under WhatsApp messages.",
            submit_label="Send",
        ),
    )
    actions = ["export_gstr1_csv"]

    subtotal_display = _money_column("subtotal", "subtotal (taxable, before discount)")
    discount_total_display = _money_column("discount_total", "discount")
    taxable_total_display = _money_column("taxable_total", "taxable value")
    cgst_total_display = _money_column("cgst_total", "CGST")
    sgst_total_display = _money_column("sgst_total", "SGST")
    igst_total_display = _money_column("igst_total", "IGST")
    round_off_display = _money_column("round_off", "round-off")
    grand_total_display = _money_column("grand_total", "grand total")
    amount_paid_display = _money_column("amount_paid", "paid")
    amount_due_display = _money_column("amount_due", "due")

    @admin.display(description="customer", ordering="customer__name")
    def customer_display(self, invoice: Invoice) -> str:
        return invoice.customer.name if invoice.customer_id else "Walk-in"

    # An issued invoice is a posted document: shown, never edited or deleted.
    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def perform_cancel_invoices(self, request: HttpRequest, invoice: Invoice, data: dict) -> str:
        cancelled = invoice_cancel(
            business=invoice.business,
            invoice_id=invoice.pk,
            user=request.user,
            reason=data["reason"],
        )
        message = f"Invoice {cancelled.number} cancelled; its stock is back"
        if cancelled.customer_id is not None:
            balance = Customer.objects.values_list("balance", flat=True).get(
                pk=cancelled.customer_id
            )
            message += f" and {cancelled.customer.name}'s balance is now {inr(balance)}"
        return message + "."

    def perform_send_pdf(self, request: HttpRequest, invoice: Invoice, data: dict) -> str:
        invoice_send(business=invoice.business, invoice_id=invoice.pk, user=request.user)
        return f"Invoice {invoice.number} is on its way to {invoice.customer.name} on WhatsApp."

    @admin.display(description="PDF")
    def pdf_link(self, invoice: Invoice) -> str:
        url = reverse("admin:invoices_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}" target="_blank">PDF</a>', url)

    def get_urls(self) -> list:
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="invoices_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The invoice PDF, for staff of its shop (another shop's invoice is a 404)."""
        invoice = self.get_object(request, str(object_id))
        if invoice is None:
            raise Http404("No such invoice in your shop.")
        document = invoice_document(business=invoice.business, invoice_id=invoice.pk)
        response = HttpResponse(document_read(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.filename}"'
        return response

    @admin.action(description="Export GSTR-1 CSV (dates of the selected invoices)")
    def export_gstr1_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        shops = set(queryset.values_list("business_id", flat=True))
        if len(shops) != 1:
            self.message_user(request, "Select invoices of one shop.", messages.ERROR)
            return None
        business = Business.objects.get(pk=shops.pop())
        dates = queryset.aggregate(first=Min("invoice_date"), last=Max("invoice_date"))
        text = gstr1_csv(business=business, date_from=dates["first"], date_to=dates["last"])
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        name = f"GSTR1-{business.gstin or business.pk}-{dates['first']}-{dates['last']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    # --- the new-invoice page: a form for invoice_create ------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        shops = self.user_shops(request)
        fixed_shop = self.single_shop(request)
        try:
            rows = int(request.GET.get("lines", DEFAULT_FORM_LINES))
        except ValueError:
            rows = DEFAULT_FORM_LINES
        rows = max(1, min(rows, MAX_FORM_LINES))
        line_formset = forms.formset_factory(
            InvoiceLineForm,
            formset=BaseInvoiceLineFormSet,
            extra=rows,
            max_num=MAX_ITEMS,
            validate_max=True,
        )
        customers = Customer.objects.filter(business__in=shops).order_by("name", "pk")
        products = (
            Product.objects.filter(business__in=shops, is_active=True)
            .select_related("business")
            .order_by("name", "pk")
        )
        data = request.POST if request.method == "POST" else None
        form = InvoiceCreateForm(data, shops=shops, fixed_shop=fixed_shop, customers=customers)
        formset = line_formset(
            data,
            prefix="items",
            form_kwargs={
                "products": products,
                "show_shop": fixed_shop is None,
                "product_choices": InvoiceLineForm.product_choices(
                    products=products, show_shop=fixed_shop is None
                ),
            },
        )
        if data is not None and form.is_valid() and formset.is_valid():
            invoice = self._issue(request, form, formset)
            if invoice is not None:
                self.log_addition(request, invoice, [{"added": {}}])
                self.message_user(
                    request,
                    f"Invoice {invoice.number} issued for {inr(invoice.grand_total)}"
                    + (f"; {inr(invoice.amount_due)} on the khata." if invoice.amount_due else "."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:invoices_invoice_change", args=[invoice.pk])
                )
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "New invoice",
            "opts": self.opts,
            "form": form,
            "formset": formset,
            "media": self.media + form.media + formset.media,
            "more_lines_url": f"?lines={min(rows + DEFAULT_FORM_LINES, MAX_FORM_LINES)}",
            "has_more_lines": rows < MAX_FORM_LINES,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/invoices/invoice/add_form.html", context)

    def _issue(
        self, request: HttpRequest, form: InvoiceCreateForm, formset: BaseInvoiceLineFormSet
    ) -> Invoice | None:
        """Call invoice_create; a refusal goes onto the form and None is returned."""
        filled = formset.filled_forms()
        if not filled:
            form.add_error(None, "Add at least one line to the invoice.")
            return None
        customer = form.cleaned_data.get("customer")
        try:
            prepared = invoice_inputs(
                business=form.shop,
                customer=customer,
                lines=[line.cleaned_data for line in filled],
            )
            if form.cleaned_data.get("paid_in_full"):
                # Unpriceable lines: pay nothing and let the service say what is wrong.
                paid = prepared.grand_total if prepared.grand_total is not None else ZERO
            else:
                paid = form.cleaned_data.get("amount_paid") or ZERO
            return invoice_create(
                business=form.shop,
                items=prepared.items,
                customer_id=customer.pk if customer is not None else None,
                amount_paid=paid,
                payment_mode=form.cleaned_data["payment_mode"],
                invoice_date=form.cleaned_data.get("invoice_date"),
                notes=form.cleaned_data.get("notes") or "",
                user=request.user,
            )
        except ApplicationError as exc:
            self._show_refusal(form, filled, exc)
            return None

    def _show_refusal(
        self, form: InvoiceCreateForm, lines: list[InvoiceLineForm], error: ApplicationError
    ) -> None:
        field = error.field or ""
        item = _ITEM_FIELD.match(field)
        if item is not None and int(item.group(1)) < len(lines):
            line = lines[int(item.group(1))]
            name = _FORM_FIELD.get(item.group(2) or "", item.group(2))
            line.add_error(name if name in line.fields else None, error.message)
            form.add_error(None, f"Line {int(item.group(1)) + 1}: {error.message}")
            return
        name = _FORM_FIELD.get(field, field)
        if name == "amount_paid" and form.cleaned_data.get("paid_in_full"):
            name = "paid_in_full"
        form.add_error(name if name in form.fields else None, error.message)


@admin.register(InvoiceItem)
class InvoiceItemAdmin(ReadOnlyAdminMixin, BooksAdmin):
    list_display = [
        "invoice",
        "invoice_date",
        "line_no",
        "description",
        "product",
        "quantity_display",
        "unit_price_display",
        "line_total_display",
    ]
    list_display_links = ["description"]
    list_filter = ["gst_rate", "unit", "invoice__status"]
    search_fields = ["description", "product__name", "invoice__number", "invoice__customer__name"]
    date_hierarchy = "invoice__invoice_date"
    ordering = ["-invoice__invoice_date", "-invoice_id", "line_no"]
    list_select_related = ["invoice", "product"]

    @admin.display(description="date", ordering="invoice__invoice_date")
    def invoice_date(self, item: InvoiceItem) -> str:
        return item.invoice.invoice_date.isoformat()

    @admin.display(description="quantity", ordering="quantity")
    def quantity_display(self, item: InvoiceItem) -> str:
        return f"{plain_quantity(item.quantity)} {item.unit}"

    @admin.display(description="unit price", ordering="unit_price")
    def unit_price_display(self, item: InvoiceItem) -> str:
        return inr(item.unit_price)

    @admin.display(description="line total", ordering="line_total")
    def line_total_display(self, item: InvoiceItem) -> str:
        return inr(item.line_total)


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyAdminMixin, BooksAdmin):
    """The last number used per financial year: shown, changed only by invoice_create."""

    list_display = ["financial_year_display", "last_number"]
    list_filter = ["financial_year"]
    ordering = ["business", "-financial_year"]

    @admin.display(description="financial year", ordering="financial_year")
    def financial_year_display(self, sequence: InvoiceSequence) -> str:
        return f"{sequence.financial_year}-{(sequence.financial_year + 1) % 100:02d}"


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, BooksAdmin):
    """Rendered invoice and statement PDFs: kept as generated, opened from storage."""

    list_display = ["filename", "kind", "invoice", "customer", "size", "render_ms", "created_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "invoice__number", "customer__name"]
    date_hierarchy = "created_at"
    list_select_related = ["invoice", "customer"]
    readonly_fields = ["file_link"]

    @admin.display(description="file")
    def file_link(self, document: Document) -> str:
        return format_html('<a href="{}">{}</a>', document.file.url, document.filename)
