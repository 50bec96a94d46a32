"""Products and their stock history in the back office, changed only through products.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from execora.admin_forms import (
    AliasesField,
    BooksAdmin,
    Operation,
    OperationsAdminMixin,
    ServiceFormAdminMixin,
    inr,
    plain_quantity,
)
from execora.admin_scoping import ReadOnlyAdminMixin
from execora.exceptions import ApplicationError
from execora.money import QUANTITY_DIGITS
from products.models import Product, StockMovement
from products.search import product_search
from products.services import ADJUST_KINDS, product_create, product_update, stock_adjust

# What the product form edits; stock moves only through movements.
CATALOGUE_FIELDS = [
    "name",
    "aliases",
    "sku",
    "hsn_code",
    "unit",
    "selling_price",
    "price_includes_tax",
    "gst_rate",
    "low_stock_level",
    "allow_negative_stock",
    "is_active",
]
# A search term finds at most this many fuzzy (spoken-name) matches per shop.
FUZZY_SEARCH_LIMIT = 50


def _quantity_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=QUANTITY_DIGITS["max_digits"],
        decimal_places=QUANTITY_DIGITS["decimal_places"],
        **kwargs,
    )


class ProductForm(forms.ModelForm):
    aliases = AliasesField(help_text="Other names, separated by commas (e.g. cheeni, चीनी).")

    class Meta:
        model = Product
        fields = ["business", *CATALOGUE_FIELDS]


class ProductAddForm(ProductForm):
    opening_stock = _quantity_field(
        required=False,
        min_value=0,
        initial=0,
        help_text="How much is on the shelf now, in the product's unit.",
    )


class StockAdjustForm(forms.Form):
    change = _quantity_field(
        help_text="In the product's unit: positive adds stock, negative (adjustment only) "
        "removes it."
    )
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in ADJUST_KINDS],
        initial=StockMovement.Kind.PURCHASE,
    )
    note = forms.CharField(required=False, max_length=255, help_text="e.g. supplier bill no.")

    def clean_change(self) -> Any:
        change = self.cleaned_data["change"]
        if change == 0:
            raise forms.ValidationError("Enter a quantity other than zero.")
        return change


class LowStockFilter(admin.SimpleListFilter):
    title = "stock level"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("low", "Low stock"), ("out", "Out of stock"), ("ok", "Enough stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        low = Q(low_stock_level__isnull=False, stock_quantity__lte=F("low_stock_level"))
        if self.value() == "low":
            return queryset.filter(low)
        if self.value() == "out":
            return queryset.filter(stock_quantity__lte=0)
        if self.value() == "ok":
            return queryset.exclude(low).filter(stock_quantity__gt=0)
        return queryset


def is_low_stock(product: Product) -> bool:
    return product.low_stock_level is not None and product.stock_quantity <= product.low_stock_level


@admin.register(Product)
class ProductAdmin(ServiceFormAdminMixin, OperationsAdminMixin, BooksAdmin):
    form = ProductForm
    add_form = ProductAddForm
    list_display = [
        "name",
        "unit",
        "price_display",
        "gst_display",
        "stock_display",
        "low_stock",
        "is_active",
    ]
    list_filter = [LowStockFilter, "is_active", "unit", "gst_rate", "price_includes_tax"]
    search_fields = ["name", "sku", "hsn_code", "aliases"]
    ordering = ["name", "pk"]
    list_select_related = []
    list_per_page = 50
    operations = (
        Operation(
            name="adjust_stock",
            label="Adjust stock",
            form_class=StockAdjustForm,
            needs_change_permission=True,
            intro="Goods bought (purchase), counted (adjustment) or brought back by a "
            "customer (return). Each product gets the same change, as a stock movement.",
        ),
    )

    def get_form(
        self, request: HttpRequest, obj: Product | None = None, change: bool = False, **kwargs
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Product | None = None) -> list:
        details = ["name", "aliases", "unit", "is_active"]
        if obj is not None or self.single_shop(request) is None:
            details.insert(0, "business")
        stock = ["low_stock_level", "allow_negative_stock"]
        stock = ["opening_stock", *stock] if obj is None else ["stock_display", *stock]
        return [
            (None, {"fields": details}),
            ("Price and GST", {"fields": ["selling_price", "price_includes_tax", "gst_rate"]}),
            ("Codes", {"fields": ["sku", "hsn_code"]}),
            ("Stock", {"fields": stock}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        return ["business", "stock_display"] if obj is not None else []

    @admin.display(description="price", ordering="selling_price")
    def price_display(self, product: Product) -> str:
        return inr(product.selling_price)

    @admin.display(description="GST", ordering="gst_rate")
    def gst_display(self, product: Product) -> str:
        return f"{plain_quantity(product.gst_rate)}%"

    @admin.display(description="stock", ordering="stock_quantity")
    def stock_display(self, product: Product) -> str:
        return f"{plain_quantity(product.stock_quantity)} {product.unit}"

    @admin.display(description="low stock", boolean=True)
    def low_stock(self, product: Product) -> bool:
        return is_low_stock(product)

    def has_delete_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        # Products carry stock history; retire one by unticking "is active".
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """The column search plus the spoken-name search ("cheeni" finds Sugar)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, may_have_duplicates
        fuzzy_ids = [
            match.product.pk
            for business in self.member_shops(request)
            for match in product_search(
                business=business, query=term, limit=FUZZY_SEARCH_LIMIT
            ).matches
        ]
        if fuzzy_ids:
            found = found | queryset.filter(pk__in=fuzzy_ids)
        return found, may_have_duplicates

    def service_save(
        self, *, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool
    ) -> Product:
        values = {field: form.cleaned_data[field] for field in CATALOGUE_FIELDS}
        if change:
            return product_update(business=obj.business, product_id=obj.pk, **values)
        business = form.cleaned_data.get("business") or self.single_shop(request)
        if business is None:
            raise ApplicationError("Choose the shop.", code="invalid", field="business")
        is_active = values.pop("is_active")
        opening = form.cleaned_data.get("opening_stock") or 0
        product = product_create(
            business=business, opening_stock=opening, user=request.user, **values
        )
        if not is_active:
            product = product_update(business=business, product_id=product.pk, is_active=False)
        return product

    def perform_adjust_stock(self, request: HttpRequest, product: Product, data: dict) -> str:
        movement = stock_adjust(
            business=product.business,
            product_id=product.pk,
            change=data["change"],
            kind=data["kind"],
            note=data["note"],
            user=request.user,
        )
        before = movement.stock_after - movement.quantity
        return (
            f"{product.name}: {movement.get_kind_display().lower()} of "
            f"{plain_quantity(movement.quantity)} {product.unit}; stock "
            f"{plain_quantity(before)} → {plain_quantity(movement.stock_after)} {product.unit}."
        )


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, BooksAdmin):
    list_display = [
        "created_at",
        "product",
        "kind",
        "quantity_display",
        "stock_after_display",
        "reference",
        "note",
        "created_by",
    ]
    list_display_links = ["created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["product__name", "reference", "note"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    list_select_related = ["product", "created_by"]

    @admin.display(description="change", ordering="quantity")
    def quantity_display(self, movement: StockMovement) -> str:
        sign = "+" if movement.quantity > 0 else ""
        return f"{sign}{plain_quantity(movement.quantity)} {movement.product.unit}"

    @admin.display(description="stock after", ordering="stock_after")
    def stock_after_display(self, movement: StockMovement) -> str:
        return f"{plain_quantity(movement.stock_after)} {movement.product.unit}"
