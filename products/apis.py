"""`/api/v1/products/`: catalogue CRUD, low-stock and fuzzy search, stock adjustments.

DELETE deactivates (is_active=false): invoices and stock history keep
pointing at the product, so the row stays; lists and search hide it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.idempotency import idempotent
from execora.api.resources import (
    FlagFilter,
    StableOrderingFilter,
    StrictFilterForm,
    fields_renamed,
)
from execora.api.viewsets import ShopScopedGenericViewSet
from execora.tenancy import business_for_request
from products.models import Product
from products.search import product_search
from products.selectors import product_list
from products.serializers import (
    ProductCreateSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    StockAdjustSerializer,
    StockMovementSerializer,
)
from products.services import product_create, product_update, stock_adjust

TAGS = ["products"]
SEARCH_LIMIT = 50

PRODUCT_EXAMPLE = {
    "id": 31,
    "name": "Sugar",
    "aliases": ["cheeni", "चीनी"],
    "sku": "SUG-1KG",
    "hsn_code": "1701",
    "unit": "kg",
    "selling_price": "46.00",
    "price_includes_tax": True,
    "gst_rate": "5.00",
    "stock_quantity": "42.500",
    "low_stock_level": "10.000",
    "is_low_stock": False,
    "allow_negative_stock": False,
    "is_active": True,
    "created_at": "2026-04-02T10:15:00+05:30",
    "updated_at": "2026-04-20T18:40:12+05:30",
}
PRODUCT_RESPONSE = OpenApiExample("Product", value=PRODUCT_EXAMPLE, response_only=True)


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text="Name, alias (any spelling) or exact SKU; best match first unless "
        f"`ordering` is given; at most {SEARCH_LIMIT}.",
    )
    low_stock = FlagFilter(
        method="filter_low_stock",
        help_text="1: only products at or below their low_stock_level. 0: no filter.",
    )
    include_inactive = FlagFilter(
        method="filter_nothing", help_text="1: include deactivated (deleted) products."
    )

    class Meta:
        model = Product
        fields = ["search", "low_stock", "include_inactive"]
        form = StrictFilterForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("include_inactive"):
            queryset = queryset.filter(is_active=True)
        return super().filter_queryset(queryset)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        result = product_search(
            business=business_for_request(self.request), query=value, limit=SEARCH_LIMIT
        )
        ids = [match.product.pk for match in result.matches]
        if not ids:
            return queryset.none()
        rank = Case(
            *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField()
        )
        return queryset.filter(pk__in=ids).order_by(rank, "pk")

    def filter_low_stock(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        low = product_list(
            business=business_for_request(self.request), low_stock=True, include_inactive=True
        )
        return queryset.filter(pk__in=low.values("pk"))

    def filter_nothing(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset  # read in filter_queryset


@extend_schema_view(
    list=extend_schema(
        summary="List or search products",
        tags=TAGS,
        description="Active products by name. `ordering`: name, stock_quantity, "
        "selling_price, created_at (prefix `-` for descending).",
        examples=[PRODUCT_RESPONSE],
    ),
    retrieve=extend_schema(
        summary="A product (deactivated ones too)", tags=TAGS, examples=[PRODUCT_RESPONSE]
    ),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """The shop's catalogue and stock."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["name", "stock_quantity", "selling_price", "created_at"]
    ordering = None  # the model's name order, or the search ranking
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The filters (and hiding deactivated products) are for lists: a deactivated
        # product can still be read, and brought back with PATCH.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Add a product",
        tags=TAGS,
        description="`opening_stock` (default 0) is posted as an opening stock movement. "
        "Names are unique per shop (ignoring case), as are SKUs.",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer},
        examples=[
            OpenApiExample(
                "New product",
                value={
                    "name": "Sugar",
                    "aliases": ["cheeni"],
                    "unit": "kg",
                    "selling_price": "46.00",
                    "gst_rate": "5",
                    "hsn_code": "1701",
                    "low_stock_level": "10",
                    "opening_stock": "50",
                },
                request_only=True,
            ),
            PRODUCT_RESPONSE,
        ],
    )
    def create(self, request: Request) -> Response:
        data = ProductCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        product = product_create(business=self.business, user=request.user, **data.validated_data)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a product",
        tags=TAGS,
        description="Any subset of the fields. `stock_quantity` is refused (400): stock "
        "moves only through `adjust-stock`, invoices and cancellations.",
        request=ProductUpdateSerializer,
        responses={200: ProductSerializer},
        examples=[
            OpenApiExample("New price", value={"selling_price": "48.00"}, request_only=True),
            PRODUCT_RESPONSE,
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_object()
        data = ProductUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with fields_renamed({"product_id": None}):
            product = product_update(
                business=self.business, product_id=product.pk, **data.validated_data
            )
        return Response(ProductSerializer(product).data)

    @extend_schema(
        summary="Deactivate a product",
        tags=TAGS,
        description="Products are never deleted (invoices and stock history refer to "
        "them): this sets is_active=false, which hides it from lists and search. "
        "PATCH is_active=true brings it back. Repeating it is harmless.",
        request=None,
        responses={204: OpenApiResponse(description="Deactivated.")},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_object()
        with fields_renamed({"product_id": None}):
            product_update(business=self.business, product_id=product.pk, is_active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Record a purchase, a count or a return",
        tags=TAGS,
        description="Appends a stock movement and moves the stock with it. Taking out more "
        "than is in stock is refused (`insufficient_stock`) unless the product allows "
        "negative stock.",
        request=StockAdjustSerializer,
        responses={201: StockMovementSerializer},
        examples=[
            OpenApiExample(
                "Bought 25 kg",
                value={"change": "25", "kind": "purchase", "note": "Bill 2231, Agarwal Traders"},
                request_only=True,
            ),
            OpenApiExample(
                "Movement",
                value={
                    "id": 901,
                    "product": 31,
                    "kind": "purchase",
                    "quantity": "25.000",
                    "stock_after": "67.500",
                    "reference": "",
                    "note": "Bill 2231, Agarwal Traders",
                    "created_by": 7,
                    "created_at": "2026-04-21T09:05:00+05:30",
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="adjust-stock")
    @idempotent
    def adjust_stock(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_object()
        data = StockAdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_renamed({"quantity": "change", "product_id": None}):
            movement = stock_adjust(
                business=self.business,
                product_id=product.pk,
                user=request.user,
                **data.validated_data,
            )
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)
