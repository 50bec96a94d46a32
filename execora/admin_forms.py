"""What the books' admin pages share: forms that save through services, and operations.

The admin holds no business rules. A model form here only collects input; its
`save_model` calls the app's service (customer_create, product_update, ...),
and an `ApplicationError` from the service is shown on the form, with
everything the request wrote rolled back. An *operation* ("Record payment",
"Cancel invoice") is an intermediate form that runs one service call per
chosen row, offered both as a changelist action and as a button on the
row's change page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from execora.admin_scoping import ShopScopedAdmin, is_shop_owner
from execora.exceptions import ApplicationError
from execora.models import Business
from execora.money import money

# --- display ---------------------------------------------------------------------


def inr(value: Decimal | int | str | None) -> str:
    """₹1,23,456.78: rupees with Indian digit grouping (lakh, crore); "—" for no value."""
    if value is None:
        return "—"
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, _, paise = f"{abs(amount):.2f}".partition(".")
    head, groups = whole[:-3], [whole[-3:]]
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return f"{sign}₹{','.join(groups)}.{paise}"


def plain_quantity(value: Decimal | None) -> str:
    """12.500 -> "12.5", 10.000 -> "10": quantities as a shopkeeper writes them."""
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- form fields -------------------------------------------------------------------


class AliasesField(forms.CharField):
    """A list of other names, typed as one line separated by commas."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "Other names, separated by commas (e.g. Ramu, रमेश, Ramesh bhaiya)."
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "vLargeTextField"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(alias) for alias in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(alias).strip() for alias in value if str(alias).strip()]
        text = super().to_python(value)
        return [alias.strip() for alias in text.split(",") if alias.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


def date_input() -> forms.DateInput:
    # The browser's own date picker: no admin calendar JavaScript to load.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- base admin ----------------------------------------------------------------------


class BooksAdmin(ShopScopedAdmin):
    """A shop-scoped admin that adds a shop column for superusers, who see every shop."""

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = list(super().get_list_display(request))
        if request.user.is_superuser and "business" not in columns:
            columns.append("business")
        return columns

    def get_list_select_related(self, request: HttpRequest) -> Any:
        related = super().get_list_select_related(request)
        if request.user.is_superuser and isinstance(related, list | tuple):
            return [*related, "business"]
        return related

    def single_shop(self, request: HttpRequest) -> Business | None:
        """The user's shop when they belong to exactly one (so no shop needs choosing)."""
        if request.user.is_superuser:
            return None
        if not hasattr(request, "_execora_single_shop"):
            shop_ids = self._shop_ids(request)
            request._execora_single_shop = (
                Business.objects.get(pk=shop_ids[0]) if len(shop_ids) == 1 else None
            )
        return request._execora_single_shop

    def user_shops(self, request: HttpRequest) -> models.QuerySet[Business]:
        """The shops the user may act for: their own, or every shop for a superuser."""
        if request.user.is_superuser:
            return Business.objects.all()
        return self.member_shops(request)

    def member_shops(self, request: HttpRequest) -> models.QuerySet[Business]:
        """The shops the user belongs to (a superuser's too; used to bound costly searches)."""
        return Business.objects.filter(pk__in=self._shop_ids(request))


# --- forms that save through a service ------------------------------------------------


class ServiceRefused(Exception):
    """A service refused the save; carries its ApplicationError out of the atomic block."""

    def __init__(self, error: ApplicationError) -> None:
        super().__init__(error.message)
        self.error = error


def add_refusal_to_form(form: forms.BaseForm, error: ApplicationError) -> None:
    """Put a service's refusal on the form fields it names, else at the top of the form."""
    errors = error.extra.get("errors")
    if not isinstance(errors, dict) or not errors:
        errors = {error.field or NON_FIELD_ERRORS: [error.message]}
    for field, field_messages in errors.items():
        for message in [field_messages] if isinstance(field_messages, str) else field_messages:
            if field in form.fields:
                form.add_error(field, message)
            elif field in (NON_FIELD_ERRORS, None, ""):
                form.add_error(None, message)
            else:
                form.add_error(None, f"{field}: {message}")


class ServiceFormAdminMixin:
    """Admin whose `save_model` calls a service (`service_save`), never `obj.save()`.

    The admin saves inside one transaction (`changeform_view` is atomic). A
    refusal raises out of it, so nothing the request wrote survives; the view
    then runs again on the same POST with the refusal added to the form, so
    the user sees their input and the reason, never a 500.
    """

    def service_save(
        self, *, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> models.Model:
        raise NotImplementedError

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        try:
            saved = self.service_save(request=request, obj=obj, form=form, change=change)
        except ApplicationError as exc:
            raise ServiceRefused(exc) from exc
        # The admin goes on with `obj` (history entry, redirect): make it the saved row.
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        obj.refresh_from_db()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._execora_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal: ApplicationError | None = getattr(request, "_execora_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                add_refusal_to_form(self, refusal)
                return cleaned

        return RefusedForm


# --- operations: intermediate forms that call a service per row -------------------------


class ConfirmForm(forms.Form):
    """An operation with nothing to ask but an optional reason."""

    reason = forms.CharField(
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"class": "vLargeTextField"}),
        help_text="Optional; kept with the record.",
    )


@dataclass(frozen=True)
class Operation:
    """A business action offered on a model's admin.

    The admin implements it as `perform_<name>(request, obj, data) -> str`:
    one service call for `obj` with the form's cleaned `data`, returning the
    success message; an ApplicationError it raises is shown as an error.
    """

    name: str
    label: str
    # The change page's button, when it should read differently ("Cancel invoice").
    button_label: str = ""
    form_class: type[forms.Form] = ConfirmForm
    # Only a shop owner (Membership.role == owner) or a superuser may run it.
    owner_only: bool = False
    # Runs only for users who may change the row (e.g. a customer's khata).
    needs_change_permission: bool = False
    # Amounts are per row, so the form is for one row at a time.
    one_at_a_time: bool = False
    # Offered as a button on the change page only when this says so (e.g. not yet cancelled).
    applies_to: Callable[[Any], bool] | None = None
    intro: str = ""
    submit_label: str = ""

    @property
    def url_segment(self) -> str:
        return self.name.replace("_", "-")


class OperationsAdminMixin:
    """Offers each of `operations` as a changelist action and as a change-page button."""

    operations: tuple[Operation, ...] = ()
    change_form_template = "admin/execora/change_form.html"

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        for operation in self.operations:
            actions[operation.name] = (
                _changelist_action(operation),
                operation.name,
                operation.label,
            )
        return actions

    def get_urls(self) -> list:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                f"<path:object_id>/{operation.url_segment}/",
                self.admin_site.admin_view(_object_view(self, operation)),
                name="{}_{}_{}".format(*info, operation.url_segment.replace("-", "_")),
            )
            for operation in self.operations
        ] + super().get_urls()

    def operation_url(self, operation: Operation, obj: models.Model) -> str:
        info = self.opts.app_label, self.opts.model_name
        name = "admin:{}_{}_{}".format(*info, operation.url_segment.replace("-", "_"))
        return reverse(name, args=[quote(obj.pk)], current_app=self.admin_site.name)

    def operation_refusal(
        self, request: HttpRequest, operation: Operation, obj: models.Model
    ) -> str | None:
        """Why this user may not run `operation` on `obj`, or None when they may."""
        if operation.owner_only and not is_shop_owner(request.user, obj.business_id):
            return f"only the shop's owner may use “{operation.label}”."
        if operation.needs_change_permission and not self.has_change_permission(request, obj):
            return f"you may not use “{operation.label}” here."
        return None

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        tools = []
        if obj is not None:
            tools = [
                {
                    "label": operation.button_label or operation.label,
                    "url": self.operation_url(operation, obj),
                }
                for operation in self.operations
                if (operation.applies_to is None or operation.applies_to(obj))
                and self.operation_refusal(request, operation, obj) is None
            ]
        extra_context = {**(extra_context or {}), "operation_tools": tools}
        return super().change_view(request, object_id, form_url, extra_context)

    def run_operation(
        self,
        request: HttpRequest,
        operation: Operation,
        objects: Iterable[models.Model],
        *,
        via_changelist: bool,
    ) -> HttpResponse | None:
        """Show the operation's form for `objects`; when submitted, run it for each one.

        Each row is its own service call (its own transaction): one refusal,
        e.g. an invoice already cancelled, is reported and the others go ahead.
        Returns None to go back to the changelist (for a changelist action).
        """
        objects = list(objects)
        back = None if via_changelist else self._change_page_redirect(objects)
        allowed = []
        for obj in objects:
            refusal = self.operation_refusal(request, operation, obj)
            if refusal is None:
                allowed.append(obj)
            else:
                self.message_user(request, f"{obj}: {refusal}", messages.ERROR)
        if not allowed:
            return back
        if operation.one_at_a_time and len(allowed) > 1:
            self.message_user(
                request,
                f"Choose one {self.opts.verbose_name} at a time to {operation.label.lower()}.",
                messages.WARNING,
            )
            return back
        submitted = request.method == "POST" and "apply" in request.POST
        form = operation.form_class(request.POST if submitted else None)
        if submitted and form.is_valid():
            perform = getattr(self, f"perform_{operation.name}")
            for obj in allowed:
                try:
                    message = perform(request, obj, form.cleaned_data)
                except ApplicationError as exc:
                    self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                else:
                    self.message_user(request, message, messages.SUCCESS)
            return back
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": operation.label,
            "opts": self.opts,
            "operation": operation,
            "objects": allowed,
            "form": form,
            "media": self.media + form.media,
            "via_changelist": via_changelist,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": (
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                    current_app=self.admin_site.name,
                )
                if via_changelist
                else self._change_url(allowed[0])
            ),
            "submit_label": operation.submit_label or operation.label,
        }
        return TemplateResponse(request, "admin/execora/operation_form.html", context)

    def _change_url(self, obj: models.Model) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )

    def _change_page_redirect(self, objects: list[models.Model]) -> HttpResponseRedirect:
        return HttpResponseRedirect(self._change_url(objects[0]))


def _changelist_action(operation: Operation) -> Callable:
    def action(
        modeladmin: OperationsAdminMixin, request: HttpRequest, queryset: models.QuerySet
    ) -> HttpResponse | None:
        return modeladmin.run_operation(request, operation, queryset, via_changelist=True)

    action.__name__ = operation.name
    return action


def _object_view(modeladmin: admin.ModelAdmin, operation: Operation) -> Callable:
    def view(request: HttpRequest, object_id: str) -> HttpResponse:
        # get_object goes through the shop-scoped queryset: another shop's id is "not found".
        obj = modeladmin.get_object(request, unquote(object_id))
        if obj is None:
            return modeladmin._get_obj_does_not_exist_redirect(request, modeladmin.opts, object_id)
        if not modeladmin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return modeladmin.run_operation(request, operation, [obj], via_changelist=False)

    return view
