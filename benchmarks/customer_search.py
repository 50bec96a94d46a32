"""Time customer_search on a shop with 5,000 customers.

Run from the repository root against the database in DATABASE_URL:

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/customer_search.py

Everything it writes (a throwaway shop and its customers) is inside one
transaction that is rolled back at the end. Data come from a seeded random
generator, so every run searches the same names.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from customers.models import Customer  # noqa: E402
from customers.search import customer_search_key  # noqa: E402
from customers.selectors import customer_search  # noqa: E402
from execora.models import Business  # noqa: E402

CUSTOMERS = 5_000
SEARCHES = 1_000
FIRST = [
    "Ramesh",
    "Suresh",
    "Mahesh",
    "Rakesh",
    "Dinesh",
    "Naresh",
    "Rajesh",
    "Mukesh",
    "Sunita",
    "Geeta",
    "Anita",
    "Kavita",
    "Pooja",
    "Priya",
    "Neha",
    "Amit",
    "Sumit",
    "Rohit",
    "Mohit",
    "Vijay",
    "Sanjay",
    "Ajay",
    "Manoj",
    "Anil",
    "Sunil",
    "Deepak",
    "Lakshmi",
    "Irfan",
    "Salman",
    "Ayesha",
    "Zainab",
    "Imran",
    "Farooq",
    "Harpreet",
    "Gurpreet",
    "Manpreet",
    "Arjun",
    "Karan",
    "Rahul",
    "Vikram",
]
LAST = [
    "Kumar",
    "Sharma",
    "Verma",
    "Gupta",
    "Yadav",
    "Singh",
    "Patel",
    "Shah",
    "Jain",
    "Agarwal",
    "Mishra",
    "Pandey",
    "Tiwari",
    "Dubey",
    "Chauhan",
    "Rathore",
    "Khan",
    "Ansari",
    "Qureshi",
    "Shaikh",
    "Reddy",
    "Nair",
    "Iyer",
    "Das",
    "Ghosh",
    "Bose",
    "Kaur",
    "Gill",
]
DEVANAGARI = ["रमेश", "सुनीता", "शर्मा", "गुप्ता", "लक्ष्मी", "मोहम्मद इरफ़ान", "यादव"]


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def main() -> None:
    rng = random.Random(20261124)  # noqa: S311 -- seeded test data, not secrets
    with transaction.atomic():
        shop = Business.objects.create(name="Benchmark Kirana (rolled back)")
        customers = []
        for n in range(CUSTOMERS):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            aliases = [rng.choice(DEVANAGARI)] if n % 7 == 0 else []
            customers.append(
                Customer(
                    business=shop,
                    name=name,
                    aliases=aliases,
                    phone=f"9{n:09d}",
                    search_key=customer_search_key(name=name, aliases=aliases),
                )
            )
        Customer.objects.bulk_create(customers, batch_size=1000)

        queries = []
        for n in range(SEARCHES):
            kind = n % 5
            if kind == 0:
                queries.append(rng.choice(FIRST))
            elif kind == 1:
                queries.append(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
            elif kind == 2:
                queries.append(f"{_typo(rng, rng.choice(FIRST))} ji")
            elif kind == 3:
                queries.append(rng.choice(DEVANAGARI))
            else:
                queries.append(f"+91 9{rng.randrange(CUSTOMERS):09d}")

        customer_search(business=shop, query="warm up")
        timings = []
        for query in queries:
            started = time.perf_counter()
            customer_search(business=shop, query=query)
            timings.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)

    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"customers={CUSTOMERS} searches={SEARCHES}")
    print(f"mean_ms={statistics.fmean(timings):.2f} p50_ms={timings[len(timings) // 2]:.2f}")
    print(f"p99_ms={p99:.2f} max_ms={timings[-1]:.2f}")


if __name__ == "__main__":
    main()
