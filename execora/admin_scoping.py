"""Shop scoping for the Django admin: a staff member sees and edits only their shop's rows."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.http import HttpRequest

from execora.models import Business, Membership
from execora.tenancy import business_ids_for_user


def _has_shop(model: type[models.Model]) -> bool:
    return any(field.name == "business" for field in model._meta.get_fields())


class ShopScopedAdminMixin:
    """Filters list, change, delete and search to the user's shops; superusers see all.

    `shop_field` is the lookup path from the model to its Business.
    """

    shop_field = "business"

    def _shop_ids(self, request: HttpRequest) -> list[int]:
        if not hasattr(request, "_execora_shop_ids"):
            request._execora_shop_ids = business_ids_for_user(request.user)
        return request._execora_shop_ids

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.shop_field}__in": self._shop_ids(request)})

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            shop_ids = self._shop_ids(request)
            if related is Business:
                kwargs["queryset"] = Business.objects.filter(pk__in=shop_ids)
                if len(shop_ids) == 1:
                    kwargs.setdefault("initial", shop_ids[0])
            elif _has_shop(related):
                kwargs["queryset"] = related._default_manager.filter(business_id__in=shop_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        related = db_field.related_model
        if not request.user.is_superuser and _has_shop(related):
            kwargs["queryset"] = related._default_manager.filter(
                business_id__in=self._shop_ids(request)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ShopScopedAdmin(ShopScopedAdminMixin, admin.ModelAdmin):
    pass


class ShopScopedInline(ShopScopedAdminMixin, admin.TabularInline):
    pass


class ReadOnlyAdminMixin:
    """For append-only records (journal lines, stock movements): view, never change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


def is_shop_owner(user: AbstractBaseUser, business_id: int) -> bool:
    """Whether `user` may take owner-only actions (cancel, reverse) for this shop.

    Superusers are the platform operator and may; everyone else needs an owner membership.
    """
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user_id=user.pk, business_id=business_id, role=Membership.Role.OWNER
    ).exists()
