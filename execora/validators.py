"""Validators for Indian identifiers shared by every app (GSTIN, mobile, UPI id)."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_GSTIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
_UPI_ID = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$")
_INDIAN_MOBILE = re.compile(r"^[6-9][0-9]{9}$")

# GST state codes (first two digits of a GSTIN); 97 is "Other Territory", 99 Centre Jurisdiction.
GST_STATE_CODES = {f"{n:02d}" for n in range(1, 39)} | {"97", "99"}


def gstin_check_character(first14: str) -> str:
    """The 15th GSTIN character: a mod-36 Luhn-style checksum over the first 14."""
    total = 0
    for position, char in enumerate(first14):
        value = _GSTIN_CHARS.index(char) * (2 if position % 2 else 1)
        total += value // 36 + value % 36
    return _GSTIN_CHARS[(36 - total % 36) % 36]


def validate_gstin(value: str) -> None:
    gstin = (value or "").strip().upper()
    if not _GSTIN_SHAPE.match(gstin):
        raise ValidationError(
            _("%(value)s is not a GSTIN: expected 15 characters like 27AAPFU0939F1ZV."),
            code="invalid_gstin",
            params={"value": value},
        )
    if gstin[:2] not in GST_STATE_CODES:
        raise ValidationError(
            _("GSTIN state code %(code)s does not exist."),
            code="invalid_gstin",
            params={"code": gstin[:2]},
        )
    if gstin_check_character(gstin[:14]) != gstin[14]:
        raise ValidationError(
            _("GSTIN %(value)s fails its checksum: check for a typo."),
            code="invalid_gstin",
            params={"value": value},
        )


def validate_state_code(value: str) -> None:
    if value not in GST_STATE_CODES:
        raise ValidationError(
            _("%(value)s is not a GST state code (01–38)."),
            code="invalid_state_code",
            params={"value": value},
        )


def normalize_indian_mobile(value: str) -> str:
    """Digits only, without +91/0 prefix: "+91 98765-43210" -> "9876543210"."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits


def validate_indian_mobile(value: str) -> None:
    if not _INDIAN_MOBILE.match(normalize_indian_mobile(value)):
        raise ValidationError(
            _("%(value)s is not an Indian mobile number (10 digits starting 6–9)."),
            code="invalid_phone",
            params={"value": value},
        )


def validate_upi_id(value: str) -> None:
    if not _UPI_ID.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a UPI id like sharmastore@okaxis."),
            code="invalid_upi_id",
            params={"value": value},
        )


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(value)s is not a time zone."), code="invalid_timezone", params={"value": value}
        ) from exc
