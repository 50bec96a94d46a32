from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from execora.validators import (
    gstin_check_character,
    normalize_indian_mobile,
    validate_gstin,
    validate_indian_mobile,
    validate_upi_id,
)


@pytest.mark.parametrize("gstin", ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4"])
def test_real_gstins_pass(gstin):
    validate_gstin(gstin)


@pytest.mark.parametrize(
    "gstin",
    [
        "27AAPFU0939F1ZX",
        "27AAPFU0939F1Z",
        "99AAPFU0939F1ZV0",
        "27aapfu0939f1zv!",
        "40AAPFU0939F1ZV",
    ],
)
def test_bad_gstins_fail(gstin):
    with pytest.raises(ValidationError):
        validate_gstin(gstin)


def test_checksum_changes_with_any_character():
    base = "27AAPFU0939F1Z"
    assert gstin_check_character(base) == "V"
    assert gstin_check_character("27AAPFU0939F2Z") != "V"


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("+91 98765 43210", "9876543210"),
        ("09876543210", "9876543210"),
        ("98765-43210", "9876543210"),
    ],
)
def test_mobile_numbers_are_normalised(raw, digits):
    assert normalize_indian_mobile(raw) == digits
    validate_indian_mobile(raw)


@pytest.mark.parametrize("raw", ["12345", "5876543210", "98765432101"])
def test_non_mobile_numbers_fail(raw):
    with pytest.raises(ValidationError):
        validate_indian_mobile(raw)


def test_upi_ids():
    validate_upi_id("sharmakirana@okaxis")
    with pytest.raises(ValidationError):
        validate_upi_id("not a upi id")
