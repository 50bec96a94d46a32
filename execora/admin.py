from django.contrib import admin
from django.http import HttpRequest

from execora.admin_scoping import ShopScopedAdmin
from execora.models import Business, Membership

admin.site.site_header = "Execora back office"
admin.site.site_title = "Execora"
admin.site.index_title = "Shop books"


class SuperuserEditsMixin:
    """Who may act for a shop is decided by the platform operator, not by shop staff."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


class MembershipInline(SuperuserEditsMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Business)
class BusinessAdmin(ShopScopedAdmin):
    shop_field = "pk"
    list_display = ["name", "phone", "gstin", "state_code", "language", "created_at"]
    search_fields = ["name", "phone", "gstin"]
    list_filter = ["language", "state_code"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(SuperuserEditsMixin, ShopScopedAdmin):
    list_display = ["user", "business", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "business__name"]
    autocomplete_fields = ["user"]
