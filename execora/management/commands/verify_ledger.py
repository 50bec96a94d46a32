"""Check that every cached number agrees with the history it caches (CONTRACTS.md).

Exit 0 with one OK line when every customer balance equals their receivables
lines, every entry balances, every shop's trial balance is zero and every
product's stock equals its movements; otherwise print each difference and exit 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ledger.selectors import ledger_discrepancies
from products.selectors import stock_discrepancies


class Command(BaseCommand):
    help = "Verify cached balances and stock against the ledger and stock movements."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_discrepancies() + stock_discrepancies()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            # CommandError exits with status 1 (and prints this to stderr).
            raise CommandError(f"{len(problems)} difference(s) between caches and history.")
        self.stdout.write(
            self.style.SUCCESS("OK: balances match the ledger and stock matches its movements.")
        )
