"""invoices.pricing: exact to the paisa, no database."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoices.pricing import GST_RATES, LineInput, invoice_price, is_interstate, line_price
from products.models import GST_RATES as PRODUCT_GST_RATES


def test_quarter_kilo_at_48_50_inclusive_of_5_percent_is_exact_to_the_paisa():
    # given: 250 g of something at ₹48.50/kg, MRP with 5% GST inside
    line = LineInput(
        quantity=D("0.25"), unit_price=D("48.50"), gst_rate=D("5"), price_includes_tax=True
    )
    # when
    price = invoice_price([line], interstate=False)
    # then: 12.125 bills as 12.13 (half up); 12.13 / 1.05 = 11.5524 -> 11.55;
    # 2.5% of 11.55 = 0.28875 -> 0.29 each
    (priced,) = price.lines
    assert priced.gross == D("12.13")
    assert priced.taxable_value == D("11.55")
    assert (priced.cgst, priced.sgst, priced.igst) == (D("0.29"), D("0.29"), D("0.00"))
    assert priced.line_total == D("12.13")
    assert price.taxable_total == D("11.55")
    assert price.tax_total == D("0.58")
    assert price.grand_total == D("12.00")
    assert price.round_off == D("-0.13")


def test_exclusive_price_adds_cgst_and_sgst_on_top():
    # given: 3 pieces at ₹10.00 before 18% GST
    line = LineInput(
        quantity=D("3"), unit_price=D("10.00"), gst_rate=D("18"), price_includes_tax=False
    )
    # when
    price = invoice_price([line], interstate=False)
    # then
    assert price.subtotal == D("30.00")
    assert (price.cgst_total, price.sgst_total) == (D("2.70"), D("2.70"))
    assert price.grand_total == D("35.00")
    assert price.round_off == D("-0.40")


def test_interstate_charges_igst_at_the_full_rate_not_two_rounded_halves():
    # given: ₹10.10 before 5% GST; 2.5% of it is 0.2525 (rounds to 0.25), 5% is 0.505 (0.51)
    line = LineInput(
        quantity=D("1"), unit_price=D("10.10"), gst_rate=D("5"), price_includes_tax=False
    )
    # when
    intra = line_price(line, interstate=False)
    inter = line_price(line, interstate=True)
    # then
    assert (intra.cgst, intra.sgst, intra.igst, intra.line_total) == (
        D("0.25"),
        D("0.25"),
        D("0.00"),
        D("10.60"),
    )
    assert (inter.cgst, inter.sgst, inter.igst, inter.line_total) == (
        D("0.00"),
        D("0.00"),
        D("0.51"),
        D("10.61"),
    )


def test_inclusive_discount_is_taken_off_the_mrp_and_its_taxable_value_kept():
    # given: 2 kg at ₹50 MRP (5% inside), ₹5 off
    line = LineInput(
        quantity=D("2"),
        unit_price=D("50.00"),
        gst_rate=D("5"),
        price_includes_tax=True,
        discount=D("5.00"),
    )
    # when
    price = invoice_price([line], interstate=False)
    # then: 100/1.05 = 95.238 -> 95.24 before; 95/1.05 = 90.476 -> 90.48 after
    (priced,) = price.lines
    assert priced.taxable_gross == D("95.24")
    assert priced.taxable_value == D("90.48")
    assert priced.taxable_discount == D("4.76")
    assert priced.cgst == priced.sgst == D("2.26")
    assert priced.line_total == D("95.00")
    assert (price.subtotal, price.discount_total, price.taxable_total) == (
        D("95.24"),
        D("4.76"),
        D("90.48"),
    )
    assert price.grand_total == D("95.00")
    assert price.round_off == D("0.00")


def test_exclusive_discount_reduces_the_taxable_value_one_for_one():
    # given: 2 at ₹50 before 18% GST, ₹10 off
    line = LineInput(
        quantity=D("2"),
        unit_price=D("50.00"),
        gst_rate=D("18"),
        price_includes_tax=False,
        discount=D("10"),
    )
    # when
    price = invoice_price([line], interstate=False)
    # then
    assert (price.subtotal, price.discount_total, price.taxable_total) == (
        D("100.00"),
        D("10.00"),
        D("90.00"),
    )
    assert price.tax_total == D("16.20")
    assert price.grand_total == D("106.00")
    assert price.round_off == D("-0.20")


@pytest.mark.parametrize(
    ("unit_price", "grand_total", "round_off"),
    [
        ("100.50", "101.00", "0.50"),  # exactly half a rupee rounds up
        ("99.51", "100.00", "0.49"),
        ("99.49", "99.00", "-0.49"),
        ("99.00", "99.00", "0.00"),
    ],
)
def test_grand_total_rounds_half_up_to_the_rupee(unit_price, grand_total, round_off):
    # given: a 0% line, so the total is the price
    line = LineInput(
        quantity=D("1"), unit_price=D(unit_price), gst_rate=D("0"), price_includes_tax=True
    )
    # when
    price = invoice_price([line], interstate=False)
    # then
    assert price.grand_total == D(grand_total)
    assert price.round_off == D(round_off)


def test_inclusive_line_may_miss_the_mrp_by_a_paisa_which_the_round_off_absorbs():
    # given: ₹10 MRP with 18% inside: 10/1.18 = 8.4746 -> 8.47; 9% of 8.47 = 0.7623 -> 0.76
    line = LineInput(
        quantity=D("1"), unit_price=D("10.00"), gst_rate=D("18"), price_includes_tax=True
    )
    # when
    price = invoice_price([line], interstate=False)
    # then: the tax is what the taxable value says; the customer still pays ₹10
    assert price.lines[0].line_total == D("9.99")
    assert price.grand_total == D("10.00")
    assert price.round_off == D("0.01")


def test_invoice_totals_are_the_sums_of_the_lines():
    # given
    lines = [
        LineInput(
            quantity=D("0.25"), unit_price=D("48.50"), gst_rate=D("5"), price_includes_tax=True
        ),
        LineInput(quantity=D("3"), unit_price=D("10"), gst_rate=D("18"), price_includes_tax=False),
        LineInput(quantity=D("1.5"), unit_price=D("62"), gst_rate=D("0"), price_includes_tax=True),
    ]
    # when
    price = invoice_price(lines, interstate=False)
    # then
    assert price.taxable_total == D("11.55") + D("30.00") + D("93.00")
    assert price.cgst_total == D("0.29") + D("2.70")
    assert price.sgst_total == price.cgst_total
    assert price.tax_total == D("5.98")
    # 134.55 + 5.98 = 140.53, billed as 141
    assert price.grand_total == D("141.00")
    assert price.round_off == D("0.47")


@pytest.mark.parametrize(
    "line",
    [
        LineInput(quantity=D("0"), unit_price=D("1"), gst_rate=D("0"), price_includes_tax=True),
        LineInput(quantity=D("1"), unit_price=D("-1"), gst_rate=D("0"), price_includes_tax=True),
        LineInput(quantity=D("1"), unit_price=D("1"), gst_rate=D("7"), price_includes_tax=True),
        LineInput(
            quantity=D("1"),
            unit_price=D("1"),
            gst_rate=D("0"),
            price_includes_tax=True,
            discount=D("1.01"),
        ),
    ],
)
def test_line_price_refuses_input_the_service_should_have_refused(line):
    with pytest.raises(ValueError):
        line_price(line, interstate=False)


def test_is_interstate_only_when_the_buyers_state_is_known_and_different():
    assert is_interstate(shop_state_code="27", buyer_state_code="29") is True
    assert is_interstate(shop_state_code="27", buyer_state_code="27") is False
    assert is_interstate(shop_state_code="27", buyer_state_code="") is False
    assert is_interstate(shop_state_code="27", buyer_state_code=None) is False


def test_gst_slabs_match_the_products_catalogue():
    assert tuple(GST_RATES) == tuple(PRODUCT_GST_RATES)


_lines = st.builds(
    LineInput,
    quantity=st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3),
    unit_price=st.decimals(min_value=D("0"), max_value=D("100000"), places=2),
    gst_rate=st.sampled_from(GST_RATES),
    price_includes_tax=st.booleans(),
)


@settings(derandomize=True, max_examples=400, database=None, deadline=None)
@given(lines=st.lists(_lines, min_size=1, max_size=8), interstate=st.booleans())
def test_every_invoice_adds_up_exactly(lines, interstate):
    # when
    price = invoice_price(lines, interstate=interstate)
    # then: every stored figure is to the paisa and every total is exact
    for line, priced in zip(lines, price.lines, strict=True):
        for amount in (priced.taxable_value, priced.cgst, priced.sgst, priced.igst):
            assert amount == amount.quantize(D("0.01"))
        assert priced.line_total == priced.taxable_value + priced.cgst + priced.sgst + priced.igst
        assert priced.cgst == priced.sgst
        # the tax is the rate of the taxable value, to the half paisa
        exact_tax = priced.taxable_value * line.gst_rate / 100
        assert abs(priced.tax - exact_tax) <= (D("0.01") if not interstate else D("0.005"))
        if line.price_includes_tax:
            # the MRP is kept to within a paisa
            assert abs(priced.line_total - priced.gross) <= D("0.01")
    assert price.subtotal - price.discount_total == price.taxable_total
    assert price.tax_total == price.cgst_total + price.sgst_total + price.igst_total
    assert price.grand_total == price.taxable_total + price.tax_total + price.round_off
    assert price.grand_total == price.grand_total.to_integral_value()
    assert D("-0.50") < price.round_off <= D("0.50")
