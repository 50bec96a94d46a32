"""The back office's "new invoice" form: it collects a customer and lines for `invoice_create`.

Nothing here prices or posts an invoice; the service does, and refuses what
is wrong. Each line is passed with its price, GST rate and tax-inclusion
spelled out (the catalogue's values unless typed over), so that "paid in
full" can name the exact total the service will compute from those same
inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from customers.models import Customer
from execora.admin_forms import date_input
from execora.exceptions import ApplicationError
from execora.models import Business
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS, ZERO
from invoices import pricing
from invoices.services import (
    DEFAULT_FREE_TEXT_UNIT,
    DEFAULT_PRICE_INCLUDES_TAX,
    InvoiceItemInput,
)
from ledger.models import PaymentMode
from products.models import GST_RATES, Product, Unit


def _money_field(**kwargs: Any) -> forms.DecimalField:
    kwargs.setdefault("min_value", ZERO)
    return forms.DecimalField(max_digits=MONEY_DIGITS["max_digits"], decimal_places=2, **kwargs)


class _ShopLabelled(forms.ModelChoiceField):
    """Choices labelled with their shop when the user can pick from several shops."""

    def __init__(self, *args: Any, show_shop: bool = False, **kwargs: Any) -> None:
        self.show_shop = show_shop
        super().__init__(*args, **kwargs)

    def shop_suffix(self, obj: Customer | Product) -> str:
        return f" — {obj.business.name}" if self.show_shop else ""


class CustomerChoiceField(_ShopLabelled):
    def label_from_instance(self, obj: Customer) -> str:
        phone = f" ({obj.phone})" if obj.phone else ""
        return f"{obj.name}{phone}{self.shop_suffix(obj)}"


class ProductChoiceField(_ShopLabelled):
    def label_from_instance(self, obj: Product) -> str:
        return (
            f"{obj.name} — ₹{obj.selling_price}/{obj.unit}, "
            f"GST {obj.gst_rate.normalize():f}%{self.shop_suffix(obj)}"
        )


class InvoiceCreateForm(forms.Form):
    business = forms.ModelChoiceField(queryset=Business.objects.none(), label="Shop")
    customer = CustomerChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        empty_label="— walk-in customer (must pay in full) —",
        help_text="Leave empty for a cash sale without a name.",
    )
    invoice_date = forms.DateField(
        required=False, widget=date_input(), help_text="Empty for today."
    )
    paid_in_full = forms.BooleanField(
        required=False, initial=True, help_text="Paid the whole bill at the counter."
    )
    amount_paid = _money_field(
        required=False,
        help_text="Otherwise, what was paid now; the rest goes on the customer's khata.",
    )
    payment_mode = forms.ChoiceField(choices=PaymentMode.choices, initial=PaymentMode.CASH)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        shops: QuerySet[Business],
        fixed_shop: Business | None,
        customers: QuerySet[Customer],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_shop = fixed_shop
        if fixed_shop is not None:
            del self.fields["business"]
        else:
            self.fields["business"].queryset = shops
        self.fields["customer"].queryset = customers.select_related("business")
        self.fields["customer"].show_shop = fixed_shop is None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("paid_in_full") and cleaned.get("amount_paid") is not None:
            self.add_error(
                "amount_paid", "Either tick 'paid in full' or give the amount paid, not both."
            )
        return cleaned

    @property
    def shop(self) -> Business:
        return self.fixed_shop or self.cleaned_data["business"]


class InvoiceLineForm(forms.Form):
    product = ProductChoiceField(
        queryset=Product.objects.none(), required=False, empty_label="— free text —"
    )
    description = forms.CharField(required=False, max_length=200)
    quantity = forms.DecimalField(
        required=False,
        max_digits=QUANTITY_DIGITS["max_digits"],
        decimal_places=QUANTITY_DIGITS["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "0.001", "style": "width: 7em"}),
    )
    unit = forms.ChoiceField(choices=[("", "—"), *Unit.choices], required=False)
    unit_price = _money_field(
        required=False, widget=forms.NumberInput(attrs={"step": "0.01", "style": "width: 7em"})
    )
    discount = _money_field(
        required=False, widget=forms.NumberInput(attrs={"step": "0.01", "style": "width: 6em"})
    )
    gst_rate = forms.TypedChoiceField(
        choices=[("", "—"), *((str(rate), f"{rate}%") for rate in GST_RATES)],
        coerce=Decimal,
        empty_value=None,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        products: QuerySet[Product],
        show_shop: bool,
        product_choices: list | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.show_shop = show_shop
        field.queryset = products
        if product_choices is not None:
            # Every row offers the same products: list them once, not once per row.
            field.choices = product_choices

    @classmethod
    def product_choices(cls, *, products: QuerySet[Product], show_shop: bool) -> list:
        field = cls.base_fields["product"].__class__(
            queryset=products, required=False, empty_label="— free text —", show_shop=show_shop
        )
        return list(field.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.has_changed():
            return cleaned
        if cleaned.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", "How many?")
        if cleaned.get("product") is None:
            if not cleaned.get("description"):
                self.add_error("description", "Choose a product or describe the item.")
            if cleaned.get("unit_price") is None and "unit_price" not in self.errors:
                self.add_error("unit_price", "A free-text item needs its price.")
        return cleaned


class BaseInvoiceLineFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[InvoiceLineForm]:
        """The lines the user wrote something in, in order (blank rows are skipped)."""
        return [form for form in self.forms if form.has_changed()]


@dataclass(frozen=True)
class PreparedInvoice:
    items: list[InvoiceItemInput]
    # The grand total the service will compute for these items (for "paid in full"),
    # or None when the lines cannot be priced (the service then says what is wrong).
    grand_total: Decimal | None


def invoice_inputs(
    *, business: Business, customer: Customer | None, lines: list[dict[str, Any]]
) -> PreparedInvoice:
    """The service's item inputs for the form's lines, each one's price terms made explicit."""
    items: list[InvoiceItemInput] = []
    priced: list[pricing.LineInput] = []
    for index, line in enumerate(lines):
        product: Product | None = line.get("product")
        if product is not None and product.business_id != business.pk:
            raise ApplicationError(
                f"{product.name} is not sold by {business.name}.",
                code="not_found",
                field=f"items[{index}].product_id",
            )
        unit_price = line.get("unit_price")
        gst_rate = line.get("gst_rate")
        if product is not None:
            unit_price = product.selling_price if unit_price is None else unit_price
            gst_rate = product.gst_rate if gst_rate is None else gst_rate
            includes_tax = product.price_includes_tax
        else:
            gst_rate = Decimal("0") if gst_rate is None else gst_rate
            includes_tax = DEFAULT_PRICE_INCLUDES_TAX
        discount = line.get("discount") or ZERO
        items.append(
            InvoiceItemInput(
                quantity=line["quantity"],
                product_id=product.pk if product is not None else None,
                description=line.get("description") or "",
                unit=(line.get("unit") or DEFAULT_FREE_TEXT_UNIT) if product is None else None,
                unit_price=unit_price,
                discount=discount,
                gst_rate=gst_rate,
                price_includes_tax=includes_tax,
            )
        )
        priced.append(
            pricing.LineInput(
                quantity=line["quantity"],
                unit_price=unit_price,
                gst_rate=gst_rate,
                price_includes_tax=includes_tax,
                discount=discount,
            )
        )
    interstate = pricing.is_interstate(
        shop_state_code=business.state_code,
        buyer_state_code=customer.state_code if customer is not None else "",
    )
    try:
        total: Decimal | None = pricing.invoice_price(priced, interstate=interstate).grand_total
    except ValueError:
        total = None
    return PreparedInvoice(items=items, grand_total=total)
