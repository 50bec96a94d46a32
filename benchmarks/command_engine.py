"""Benchmark: one typed command end to end through `command_run` on PostgreSQL.

Each timing is a whole command as the API, the console and voice run it:
parse (local provider), resolve the customer or product among a realistic
shop's (500 customers, 100 products), commit the write through the services
with the conversation row, and build the reply text. The mix is what a
counter hears most: udhaar, payments, balance questions, bills of two items,
stock questions. Amounts stay under the shop's confirmation amount, so every
write commits at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_engine_bench \\
        .venv/bin/python benchmarks/command_engine.py [--commands 2000]

Prints p50/p90/p99 wall-clock milliseconds per kind and overall (goal: p50 < 25 ms),
and this process's CPU time per command ("all, cpu": Python's share, without the
database server's; on a busy machine the wall clock also measures the scheduler).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_engine_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
# Production shape: with DEBUG on, Django keeps every query's SQL in memory.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")
os.environ.setdefault("LOG_LEVEL", "warning")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from customers.models import Customer  # noqa: E402
from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.services import membership_grant  # noqa: E402
from products.services import product_create  # noqa: E402
from voice.services import command_run  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Ramesh Suresh Mahesh Dinesh Rakesh Mukesh Naresh Ganesh Umesh Rajesh Anil Sunil Kapil "
    "Vijay Ajay Sanjay Manoj Vinod Pramod Ashok Geeta Sita Rita Meena Reena Seema Neha Pooja "
    "Priya Kavita Sunita Anita Rekha Usha Asha Lata Mohan Sohan Rohan Karan Arjun Imran Salim "
    "Farhan Irfan Bablu Pappu Guddu Chintu Munna"
)
LAST = _words("Kumar Yadav Sharma Verma Gupta Singh Patel Shah Khan Jain")
ITEMS = _words(
    "Sugar Rice Atta Dal Oil Salt Tea Coffee Maggi Biscuit Soap Shampoo Toothpaste Ghee Butter "
    "Milk Curd Paneer Besan Suji Poha Jaggery Honey Jam Ketchup Pickle Papad Namkeen Chips "
    "Chocolate"
)


def _shop() -> tuple[Business, object, list[Customer], list[str]]:
    """A shop with 500 customers (distinct full names) and 100 stocked products."""
    business = Business.objects.create(
        name=f"Bench shop {time.time_ns()}",
        gstin="27AAPFU0939F1ZV",  # charges GST
    )
    user = get_user_model().objects.create_user(f"bench{time.time_ns()}")
    membership_grant(user=user, business=business, role="owner")
    customers = [
        customer_create(business=business, name=f"{first} {last}")
        for first in FIRST
        for last in LAST
    ]
    products = []
    for n in range(100):
        name = ITEMS[n % len(ITEMS)] + ("" if n < len(ITEMS) else f" {n}")
        products.append(name)
        product_create(
            business=business,
            name=name,
            unit="kg",
            selling_price="40.00",
            gst_rate="5",
            opening_stock="1000000",
        )
    return business, user, customers, products[: len(ITEMS)]


def _commands(customers: list[Customer], products: list[str], count: int) -> list[tuple]:
    kinds = []
    for n in range(count):
        customer = customers[(n * 7) % len(customers)].name
        product = products[n % len(products)]
        other = products[(n + 3) % len(products)]
        kinds.append(
            [
                ("udhaar", f"{customer} ko {100 + n % 900} udhaar likh do"),
                ("payment", f"{customer} ne {50 + n % 500} rupaye diye"),
                ("balance", f"{customer} ka kitna baaki hai"),
                ("bill", f"{customer} ka bill banao 2 kilo {product} aur 1 kilo {other}"),
                ("stock", f"{product} kitna bacha hai"),
            ][n % 5]
        )
    return kinds


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    business, user, customers, products = _shop()
    commands = _commands(customers, products, args.commands)
    for _, text in commands[:50]:  # warm caches and the connection, as a running server is
        command_run(business=business, user=user, text=text)
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    failures = 0
    for kind, text in commands:
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = command_run(business=business, user=user, text=text)
        elapsed = (time.perf_counter() - start) * 1000
        cpu.append((time.thread_time() - start_cpu) * 1000)
        if result.status not in ("done", "answered"):
            failures += 1
            if failures <= 5:
                print(f"  not executed ({result.status}): {text!r} -> {result.reply}")
        timings.setdefault(kind, []).append(elapsed)
    everything = [t for values in timings.values() for t in values]
    print(
        f"PostgreSQL {connection.pg_version // 10000}, {len(customers)} customers, "
        f"{len(everything)} commands, {failures} not executed"
    )
    for kind, values in [*sorted(timings.items()), ("all", everything), ("all, cpu", cpu)]:
        print(
            f"{kind:>8}: p50 {statistics.median(values):6.2f} ms  "
            f"p90 {_percentile(values, 0.90):6.2f} ms  p99 {_percentile(values, 0.99):6.2f} ms"
        )


if __name__ == "__main__":
    main()
