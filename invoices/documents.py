"""Rendering the shop's documents as PDF: GST tax invoice / bill of supply, customer statement.

Pure functions of the rows they are given: no database writes, no storage
(invoices.services stores and caches what is rendered here). fpdf2 draws the
page; HarfBuzz (uharfbuzz) shapes Devanagari so conjuncts and the reordered
ि matra come out right, and the fonts are Debian's Noto (fonts-noto-core),
cut once per process to the scripts an invoice uses so each PDF embeds and
subsets a small font (docs/documents.md has the measurements).

The fields are those of CGST Rule 46 (tax invoice) and Rule 49 (bill of
supply, for a shop without a GSTIN).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import logging
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from fpdf import FPDF

from execora.models import Business
from execora.money import ZERO, indian_grouping, money
from execora.text import has_devanagari
from invoices.models import Invoice, InvoiceItem
from ledger.selectors import Statement
from reminders.selectors import upi_link

logger = logging.getLogger(__name__)
# fontTools logs every table of every subset at INFO: noise, and slow under JSON logging.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
# Debian's fonts-noto-core: Latin (with ₹) regular and bold, and Devanagari.
FONT_FILES = {
    ("latin", ""): "NotoSans-Regular.ttf",
    ("latin", "B"): "NotoSans-Bold.ttf",
    # Regular only: every registered font is subset and embedded in every PDF, used or
    # not, and bold Devanagari (a bold Hindi name) reads fine in the regular weight.
    ("deva", ""): "NotoSansDevanagari-Regular.ttf",
}
_LATIN = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x100),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20B9, 0x2212),
]
# Devanagari and its extension, the joiners and the dotted circle HarfBuzz uses for a lone matra.
_DEVANAGARI = [
    *range(0x20, 0x40),
    *range(0x900, 0x980),
    *range(0xA8E0, 0xA900),
    *(0x200C, 0x200D, 0x25CC, 0x20B9),
]

# GST state codes (the first two digits of a GSTIN) and their names, for "place of supply".
STATE_NAMES = {
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh",
    "05": "Uttarakhand", "06": "Haryana", "07": "Delhi", "08": "Rajasthan",
    "09": "Uttar Pradesh", "10": "Bihar", "11": "Sikkim", "12": "Arunachal Pradesh",
    "13": "Nagaland", "14": "Manipur", "15": "Mizoram", "16": "Tripura", "17": "Meghalaya",
    "18": "Assam", "19": "West Bengal", "20": "Jharkhand", "21": "Odisha",
    "22": "Chhattisgarh", "23": "Madhya Pradesh", "24": "Gujarat",
    "25": "Daman and Diu", "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra", "28": "Andhra Pradesh (old)", "29": "Karnataka", "30": "Goa",
    "31": "Lakshadweep", "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry",
    "35": "Andaman and Nicobar Islands", "36": "Telangana", "37": "Andhra Pradesh",
    "38": "Ladakh", "97": "Other Territory", "99": "Centre Jurisdiction",
}  # fmt: skip


def state_label(code: str) -> str:
    """ "Maharashtra (27)"."""
    return f"{STATE_NAMES.get(code, 'State')} ({code})"


# --- amount in words (Indian system) ----------------------------------------------------

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_ONES[hundreds]} hundred"] if hundreds else []
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def number_in_words(n: int) -> str:
    """A whole number in the Indian system: 1234567 → "twelve lakh thirty-four thousand …"."""
    if n < 0:
        raise ValueError("negative amounts have no words here")
    if n == 0:
        return "zero"
    words = []
    crore, n = divmod(n, 10_000_000)
    if crore:
        # Above 99 crore the count of crores is itself said in lakh and thousand.
        words.append(f"{number_in_words(crore)} crore")
    lakh, n = divmod(n, 100_000)
    if lakh:
        words.append(f"{_below_hundred(lakh)} lakh")
    thousand, n = divmod(n, 1000)
    if thousand:
        words.append(f"{_below_hundred(thousand)} thousand")
    if n:
        words.append(_below_thousand(n))
    return " ".join(words)


def amount_in_words(amount: Decimal) -> str:
    """Rupees and paise in words: Decimal("1250") → "One thousand two hundred fifty rupees only"."""
    amount = money(amount)
    if amount < 0:
        raise ValueError("negative amounts have no words here")
    rupees_part = int(amount)
    paise = int((amount - rupees_part) * 100)
    parts = []
    if rupees_part:
        parts.append(f"{number_in_words(rupees_part)} rupee{'s' if rupees_part != 1 else ''}")
    if paise:
        parts.append(f"{number_in_words(paise)} paise")
    if not parts:
        parts.append("zero rupees")
    text = " and ".join(parts) + " only"
    return text[0].upper() + text[1:]


# --- UPI --------------------------------------------------------------------------------


def invoice_upi_link(invoice: Invoice) -> str:
    """upi://pay for what is still due on the invoice; '' without a UPI id or a due."""
    business = invoice.business
    if not business.upi_id or invoice.amount_due <= 0 or invoice.is_cancelled:
        return ""
    return upi_link(
        upi_id=business.upi_id,
        payee=business.name,
        amount=invoice.amount_due,
        note=f"Bill {invoice.number}",
    )


def qr_png(data: str, *, scale: int = 4) -> bytes:
    """A QR code of `data` as PNG bytes (error correction M, quiet zone kept for scanners)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


# --- fonts ------------------------------------------------------------------------------

_font_lock = threading.Lock()


def _font_cache_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "cache" / "fonts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        # A read-only var/ (some containers): the cut fonts live in the temp folder instead.
        folder = Path(tempfile.gettempdir()) / "execora-fonts"
    return folder


@functools.cache
def _subset_fonts() -> dict[tuple[str, str], str]:
    """Paths of the Noto fonts cut to Latin and Devanagari, made once and kept on disk.

    Cutting NotoSans (2,800 glyphs) to what a bill prints makes each PDF's own
    subsetting several times faster; layout tables stay, so shaping still works.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    out_dir = _font_cache_dir()
    paths = {}
    with _font_lock:
        out_dir.mkdir(parents=True, exist_ok=True)
        for (script, style), name in FONT_FILES.items():
            source = FONT_DIR / name
            if not source.exists():
                raise FileNotFoundError(
                    f"{source} is missing: install the Debian package fonts-noto-core"
                )
            stat = source.stat()
            tag = hashlib.sha256(f"{name}:{stat.st_size}:{stat.st_mtime_ns}:1".encode())
            target = out_dir / f"{source.stem}-{tag.hexdigest()[:12]}.ttf"
            if not target.exists():
                options = subset.Options()
                options.layout_features = ["*"]
                options.name_IDs = ["*"]
                options.notdef_outline = True
                options.hinting = False
                font = TTFont(str(source))
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=_LATIN if script == "latin" else _DEVANAGARI)
                subsetter.subset(font)
                temporary = target.with_suffix(f".{threading.get_ident()}.tmp")
                font.save(str(temporary))
                temporary.replace(target)  # atomic: another process never reads half a font
            paths[(script, style)] = str(target)
    return paths


# --- the page ---------------------------------------------------------------------------

INK = (33, 33, 33)
MUTED = (110, 110, 110)
RULE = (190, 190, 190)
STAMP = (200, 30, 30)


class _Page(FPDF):
    def __init__(self, *, title: str, footer_note: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_note = footer_note
        fonts = _subset_fonts()
        for (script, style), path in fonts.items():
            self.add_font("Body" if script == "latin" else "Deva", style, path)
        self.set_fallback_fonts(["Deva"], exact_match=False)
        self.set_title(title)
        self.set_creator("Execora")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(12, 12, 12)
        self.add_page()

    # HarfBuzz shaping (with its bidi pass) costs more than the rest of a cell: run it
    # only for text that needs it. Latin lines keep their plain advance widths.
    def _shape(self, text: str) -> None:
        wanted = has_devanagari(text)
        if wanted != bool(self.text_shaping):
            self.set_text_shaping(wanted)

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args, **kw):
        self._shape(text)
        return super().cell(w, h, text, *args, **kw)

    def multi_cell(self, w: float, h: float | None = None, text: str = "", *args, **kw):
        self._shape(text)
        return super().multi_cell(w, h, text, *args, **kw)

    def get_string_width(self, s: str, *args, **kw) -> float:
        self._shape(s)
        return super().get_string_width(s, *args, **kw)

    def output(self, *args, **kw):
        # The layout tables served HarfBuzz, which reads the font file itself; the PDF
        # embeds glyphs only. Dropping them here spares fontTools decompiling them
        # while it subsets each font (about half of the time of a page).
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            for tag in ("GSUB", "GPOS", "GDEF"):
                if ttfont is not None and tag in ttfont:
                    del ttfont[tag]
        return super().output(*args, **kw)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(7, color=MUTED)
        self.cell(0, 4, f"{self._footer_note}  ·  Page {self.page_no()}/{{nb}}", align="C")

    def font(self, size: float, style: str = "", color: tuple = INK) -> None:
        self.set_font("Body", style, size)
        self.set_text_color(*color)

    def fit(self, text: str, width: float) -> str:
        """The text cut to fit `width` (mm) with an ellipsis: a cell never spills."""
        if self.get_string_width(text) <= width - 1.5:
            return text
        while text and self.get_string_width(text + "…") > width - 1.5:
            text = text[:-1]
        return text + "…"

    def row(
        self,
        cells: Iterable[tuple[str, float, str]],
        *,
        height: float = 5.5,
        style: str = "",
        size: float = 8,
        fill: bool = False,
    ) -> None:
        self.font(size, style)
        for text, width, align in cells:
            self.cell(width, height, self.fit(text, width), border=0, align=align, fill=fill)
        self.ln(height)

    def rule(self) -> None:
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    def stamp(self, text: str) -> None:
        """A big diagonal stamp across the page ("CANCELLED")."""
        # See-through, so the figures under it stay readable.
        with self.local_context(fill_opacity=0.35):
            self.set_font("Body", "B", 64)
            self.set_text_color(*STAMP)
            with self.rotation(30, x=self.w / 2, y=self.h / 2):
                width = self.get_string_width(text)
                self.text(self.w / 2 - width / 2, self.h / 2, text)


def _quantity_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rate_text(rate: Decimal) -> str:
    return f"{_quantity_text(rate)}%"


@dataclass(frozen=True)
class _Column:
    title: str
    width: float
    align: str


def _party_block(pdf: _Page, *, x: float, width: float, lines: list[tuple[str, str]]) -> float:
    """Label-value lines at x; returns the y it ended at."""
    y = pdf.get_y()
    for index, (text, style) in enumerate(lines):
        pdf.set_xy(x, y)
        pdf.font(9 if index == 1 else 8, style, INK if style or index else MUTED)
        if "\n" not in text and pdf.get_string_width(text) < width - 1:
            pdf.cell(width, 4.2, text)  # one line: a plain cell is several times cheaper
            y += 4.2
        else:
            pdf.multi_cell(width, 4.2, text, new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y()
    return y


def invoice_pdf(invoice: Invoice, items: list[InvoiceItem] | None = None) -> bytes:
    """The invoice as a PDF: tax invoice when the shop has a GSTIN, else a bill of supply."""
    business: Business = invoice.business
    items = items if items is not None else list(invoice.items.order_by("line_no"))
    customer = invoice.customer
    registered = bool(business.gstin)
    title = "TAX INVOICE" if registered else "BILL OF SUPPLY"
    pdf = _Page(
        title=f"{title} {invoice.number}",
        footer_note=f"{business.name} · {invoice.number} · generated by Execora",
    )
    full = pdf.w - pdf.l_margin - pdf.r_margin

    # Heading: what the document is, and (Rule 46) that this copy is the buyer's original.
    pdf.font(15, "B")
    pdf.cell(full * 0.6, 8, title)
    pdf.font(8, color=MUTED)
    pdf.cell(full * 0.4, 8, "Original for recipient", align="R")
    pdf.ln(9)

    # Supplier, and the number, date and place of supply.
    top = pdf.get_y()
    supplier = [("Supplier", ""), (business.name, "B")]
    if business.address:
        supplier.append((business.address, ""))
    supplier.append((f"GSTIN: {business.gstin}" if registered else "Not registered for GST", ""))
    supplier.append((f"State: {state_label(business.state_code)}", ""))
    if business.phone:
        supplier.append((f"Phone: {business.phone}", ""))
    left_end = _party_block(pdf, x=pdf.l_margin, width=full * 0.55, lines=supplier)
    pdf.set_y(top)
    facts = [
        ("Invoice", ""),
        (f"Invoice No.: {invoice.number}", "B"),
        (f"Date: {invoice.invoice_date:%d-%m-%Y}", ""),
        (f"Place of supply: {state_label(invoice.place_of_supply)}", ""),
    ]
    if registered:
        facts.append(("Reverse charge: No", ""))
    right_end = _party_block(pdf, x=pdf.l_margin + full * 0.58, width=full * 0.42, lines=facts)
    pdf.set_y(max(left_end, right_end) + 2)
    pdf.rule()
    pdf.ln(2)

    # Recipient: name, address, GSTIN if registered, and state.
    recipient = [("Bill to", "")]
    if customer is None:
        recipient.append(("Cash sale (walk-in customer)", "B"))
        recipient.append((f"State: {state_label(invoice.place_of_supply)}", ""))
    else:
        recipient.append((customer.name, "B"))
        if customer.address:
            recipient.append((customer.address, ""))
        if customer.gstin:
            recipient.append((f"GSTIN: {customer.gstin}", ""))
        state = customer.state_code or business.state_code
        recipient.append((f"State: {state_label(state)}", ""))
        if customer.phone:
            recipient.append((f"Phone: {customer.phone}", ""))
    pdf.set_y(_party_block(pdf, x=pdf.l_margin, width=full, lines=recipient) + 2)

    # The lines.
    taxed = registered
    if taxed and invoice.is_interstate:
        tax_columns = [_Column("IGST %", 12, "R"), _Column("IGST", 18, "R")]
    elif taxed:
        tax_columns = [
            _Column("CGST %", 12, "R"),
            _Column("CGST", 15, "R"),
            _Column("SGST %", 12, "R"),
            _Column("SGST", 15, "R"),
        ]
    else:
        tax_columns = []
    fixed = [
        _Column("#", 6, "L"),
        _Column("HSN", 13, "L"),
        _Column("", 0, "L"),  # description takes what is left
        _Column("Qty", 19, "R"),
        _Column("Rate", 17, "R"),
        _Column("Taxable value" if taxed else "Amount", 21, "R"),
        *tax_columns,
    ]
    if taxed:
        fixed.append(_Column("Total", 20, "R"))
    used = sum(column.width for column in fixed)
    columns = [
        _Column("Description", full - used, "L") if column.title == "" else column
        for column in fixed
    ]
    pdf.set_fill_color(238, 238, 238)
    pdf.row([(c.title, c.width, c.align) for c in columns], style="B", size=7.5, fill=True)
    for item in items:
        rate = _rate_text(item.gst_rate)
        half = _rate_text(item.gst_rate / 2)
        if taxed and invoice.is_interstate:
            tax_cells = [rate, indian_grouping(item.igst)]
        elif taxed:
            tax_cells = [half, indian_grouping(item.cgst), half, indian_grouping(item.sgst)]
        else:
            tax_cells = []
        values = [
            str(item.line_no),
            item.hsn_code or "-",
            item.description,
            f"{_quantity_text(item.quantity)} {item.unit}",
            indian_grouping(item.unit_price),
            # A bill of supply shows no tax: the line is what the buyer pays for it.
            indian_grouping(item.taxable_value if taxed else item.line_total),
            *tax_cells,
        ]
        if taxed:
            values.append(indian_grouping(item.line_total))
        pdf.row([(v, c.width, c.align) for v, c in zip(values, columns, strict=True)])
    pdf.rule()
    pdf.ln(2)

    # Totals in figures, then in words.
    totals: list[tuple[str, Decimal]] = []
    if invoice.discount_total:
        totals.append(("Gross value", invoice.subtotal))
        totals.append(("Discount", -invoice.discount_total))
    if taxed:
        totals.append(("Taxable value", invoice.taxable_total))
    else:
        totals.append(("Value of supply", invoice.taxable_total + invoice.tax_total))
    if taxed and invoice.is_interstate:
        totals.append(("IGST", invoice.igst_total))
    elif taxed:
        totals.append(("CGST", invoice.cgst_total))
        totals.append(("SGST", invoice.sgst_total))
    if taxed:
        totals.append(("Total tax", invoice.tax_total))
    totals.append(("Round-off", invoice.round_off))
    label_x = pdf.l_margin + full - 75
    for label, value in totals:
        pdf.set_x(label_x)
        pdf.row([(label, 45, "R"), (indian_grouping(value), 30, "R")], height=5)
    pdf.set_x(label_x)
    pdf.row(
        [("Grand total (₹)", 45, "R"), (indian_grouping(invoice.grand_total), 30, "R")],
        style="B",
        size=10,
        height=6.5,
    )
    if invoice.amount_paid:
        pdf.set_x(label_x)
        mode = invoice.get_payment_mode_display()
        pdf.row([(f"Paid ({mode})", 45, "R"), (indian_grouping(invoice.amount_paid), 30, "R")])
    if invoice.amount_due and not invoice.is_cancelled:
        pdf.set_x(label_x)
        pdf.row([("Due", 45, "R"), (indian_grouping(invoice.amount_due), 30, "R")], style="B")
    pdf.ln(1)
    pdf.font(8.5, "B")
    pdf.multi_cell(
        full, 4.5, f"Amount in words: {amount_in_words(invoice.grand_total)}", new_x="LMARGIN"
    )
    pdf.ln(1)
    if taxed and invoice.tax_total:
        pdf.font(8)
        pdf.multi_cell(
            full,
            4.2,
            f"Tax in words: {amount_in_words(invoice.tax_total)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if not registered:
        pdf.font(8, color=MUTED)
        pdf.multi_cell(
            full,
            4.2,
            "Supplier not registered under GST: no tax is charged on this bill of supply.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)

    # Pay by UPI: a QR for the amount due and the same link in text.
    link = invoice_upi_link(invoice)
    y = pdf.get_y()
    if link:
        if y + 38 > pdf.h - 20:
            pdf.add_page()
            y = pdf.get_y()
        pdf.image(io.BytesIO(qr_png(link)), x=pdf.l_margin, y=y, w=34, h=34)
        pdf.set_xy(pdf.l_margin + 37, y + 2)
        pdf.font(9, "B")
        pdf.cell(0, 5, f"Scan to pay ₹ {indian_grouping(invoice.amount_due)} by UPI")
        pdf.set_xy(pdf.l_margin + 37, y + 8)
        pdf.font(7, color=MUTED)
        pdf.multi_cell(full * 0.55, 3.6, link, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + 36)

    # Rule 46(q): the supplier's signature.
    pdf.set_x(pdf.l_margin + full - 70)
    pdf.font(8.5, "B")
    pdf.cell(70, 5, f"For {business.name}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(9)
    pdf.set_x(pdf.l_margin + full - 70)
    pdf.font(8, color=MUTED)
    pdf.cell(70, 5, "Authorised signatory", align="R", new_x="LMARGIN", new_y="NEXT")
    if invoice.notes:
        pdf.font(8, color=MUTED)
        pdf.multi_cell(full, 4, f"Note: {invoice.notes}", new_x="LMARGIN", new_y="NEXT")

    if invoice.is_cancelled:
        when = invoice.cancelled_at.date() if invoice.cancelled_at else None
        pdf.ln(2)
        pdf.font(9, "B", STAMP)
        reason = f": {invoice.cancel_reason}" if invoice.cancel_reason else ""
        on = f" on {when:%d-%m-%Y}" if when else ""
        pdf.multi_cell(full, 4.5, f"CANCELLED{on}{reason}", new_x="LMARGIN", new_y="NEXT")
        for page in range(1, pdf.pages_count + 1):
            pdf.page = page
            pdf.stamp("CANCELLED")
    return bytes(pdf.output())


def statement_pdf(statement: Statement, *, business: Business, today: datetime.date) -> bytes:
    """A customer's khata for the dates: opening, each entry with its running balance, closing."""
    customer = statement.customer
    pdf = _Page(
        title=f"Statement {customer.name}",
        footer_note=f"{business.name} · statement for {customer.name} · generated by Execora",
    )
    full = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.font(15, "B")
    pdf.cell(full * 0.6, 8, "STATEMENT OF ACCOUNT")
    pdf.font(8, color=MUTED)
    pdf.cell(full * 0.4, 8, f"Issued {today:%d-%m-%Y}", align="R")
    pdf.ln(9)
    top = pdf.get_y()
    shop = [("From", ""), (business.name, "B")]
    if business.address:
        shop.append((business.address, ""))
    if business.gstin:
        shop.append((f"GSTIN: {business.gstin}", ""))
    if business.phone:
        shop.append((f"Phone: {business.phone}", ""))
    left_end = _party_block(pdf, x=pdf.l_margin, width=full * 0.5, lines=shop)
    pdf.set_y(top)
    period_from = f"{statement.date_from:%d-%m-%Y}" if statement.date_from else "the beginning"
    period_to = f"{(statement.date_to or today):%d-%m-%Y}"
    who = [("Customer", ""), (customer.name, "B")]
    if customer.phone:
        who.append((f"Phone: {customer.phone}", ""))
    who.append((f"Period: {period_from} to {period_to}", ""))
    right_end = _party_block(pdf, x=pdf.l_margin + full * 0.55, width=full * 0.45, lines=who)
    pdf.set_y(max(left_end, right_end) + 3)

    columns = [("Date", 22, "L"), ("Particulars", full - 22 - 3 * 28, "L")]
    columns += [("Debit", 28, "R"), ("Credit", 28, "R"), ("Balance", 28, "R")]
    pdf.set_fill_color(238, 238, 238)
    pdf.row(columns, style="B", size=8, fill=True)
    opening_date = f"{statement.date_from:%d-%m-%Y}" if statement.date_from else ""
    pdf.row(
        [
            (opening_date, 22, "L"),
            ("Opening balance", columns[1][1], "L"),
            ("", 28, "R"),
            ("", 28, "R"),
            (indian_grouping(statement.opening_balance), 28, "R"),
        ],
        style="B",
    )
    for entry in statement.rows:
        # The memo usually names the reference already ("Invoice INV/26-27/0042").
        parts = [entry.memo] if entry.reference and entry.reference in entry.memo else []
        particulars = " · ".join(parts or [p for p in (entry.reference, entry.memo) if p])
        pdf.row(
            [
                (f"{entry.date:%d-%m-%Y}", 22, "L"),
                (particulars or entry.source_type, columns[1][1], "L"),
                (indian_grouping(entry.debit) if entry.debit else "", 28, "R"),
                (indian_grouping(entry.credit) if entry.credit else "", 28, "R"),
                (indian_grouping(entry.balance), 28, "R"),
            ]
        )
    pdf.rule()
    pdf.ln(1)
    closing = statement.closing_balance
    label = "Closing due" if closing >= 0 else "Advance with us"
    pdf.row(
        [(label, full - 28, "R"), (indian_grouping(abs(closing)), 28, "R")],
        style="B",
        size=10,
        height=7,
    )
    pdf.font(8.5)
    pdf.multi_cell(full, 4.5, f"In words: {amount_in_words(abs(closing))}", new_x="LMARGIN")
    pdf.ln(6)
    if closing > ZERO and business.upi_id:
        link = upi_link(
            upi_id=business.upi_id, payee=business.name, amount=closing, note="Khata balance"
        )
        y = pdf.get_y()
        pdf.image(io.BytesIO(qr_png(link)), x=pdf.l_margin, y=y, w=34, h=34)
        pdf.set_xy(pdf.l_margin + 37, y + 2)
        pdf.font(9, "B")
        pdf.cell(0, 5, f"Scan to pay ₹ {indian_grouping(closing)} by UPI")
        pdf.set_xy(pdf.l_margin + 37, y + 8)
        pdf.font(7, color=MUTED)
        pdf.multi_cell(full * 0.55, 3.6, link, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
