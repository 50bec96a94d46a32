"""Benchmark: the REST API over real HTTP, the production ASGI server in front of PostgreSQL.

Starts the server as the Dockerfile does (uvicorn, one worker process per CPU,
each with its PostgreSQL connection pool; DEBUG off) on a free port, then an
asyncio + httpx load generator with N concurrent clients (default 8), each
with its own keep-alive connection, measures for a fixed time:

- POST /api/v1/invoices/ with 3 lines (2 stocked products, 1 free-text) on a
  customer's khata, with an Idempotency-Key as a real client sends;
- GET /api/v1/customers/?search=ram over a shop of a few hundred customers.

Each client bills its own shop by default ("spread rows", like
benchmarks/invoice_create.py): invoice numbers are gapless per shop and so
serialise one shop's invoices by design; `--shops 1` measures that case.
Then the service-layer rate of the same invoices (invoice_create called
directly from the same number of processes) for the ratio the issue asks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        .venv/bin/python benchmarks/api_http.py [--seconds 10] [--clients 8] \\
        [--server uvicorn|daphne] [--workers N] [--no-pool]

`--server daphne --workers 1 --no-pool` is the setup before issue #4's work
(one daphne, a new PostgreSQL connection per request). Prints requests/s,
p50 and p99 latency per endpoint, HTTP / service, and the load average.
Goal (issue #4): HTTP >= 40% of the service rate, p99 < 100 ms at 8 clients.
The server is stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
# Production shape: DEBUG off (with it on, Django keeps every query's SQL in memory).
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
# Plain HTTP on loopback: in production TLS ends at the proxy in front of the server.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "warning")
# The load is the point: no rate limit may shape it.
os.environ.setdefault("API_THROTTLE_USER", "100000000/min")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/min")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from customers.models import Customer  # noqa: E402
from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.services import membership_grant  # noqa: E402
from invoices.services import InvoiceItemInput, invoice_create  # noqa: E402
from ledger.selectors import ledger_discrepancies  # noqa: E402
from products.selectors import stock_discrepancies  # noqa: E402
from products.services import product_create  # noqa: E402

# Names a kirana's khata is full of; "ram" matches a good handful of them.
FIRST_NAMES = [
    "Ramesh", "Ram", "Ramu", "Raman", "Rambabu", "Ramprasad", "Suresh", "Mahesh", "Dinesh",
    "Anita", "Sunita", "Geeta", "Seema", "Pooja", "Rajesh", "Mukesh", "Naresh", "Kamla",
    "Shanti", "Lakshmi", "Gopal", "Mohan", "Sohan", "Vijay", "Ajay", "Sanjay", "Manoj",
]  # fmt: skip
SURNAMES = ["Kumar", "Sharma", "Gupta", "Yadav", "Verma", "Singh", "Patel", "Jain", "Agarwal"]
CUSTOMERS_PER_SHOP = 300


@dataclass
class Shop:
    business: Business
    token: str
    customer_id: int
    product_ids: list[int]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def line(self, name: str) -> str:
        count = len(self.latencies)
        if not count:
            return f"{name}: no successful requests; errors {self.errors}"
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(count - 1, int(count * 0.99))] * 1000
        errors = f"  errors {self.errors}" if self.errors else ""
        return (
            f"{name:38} {count / self.elapsed:8.1f} req/s   p50 {p50:6.1f} ms   "
            f"p99 {p99:6.1f} ms   ({count} requests){errors}"
        )

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


# --- data -------------------------------------------------------------------------------


def make_shops(count: int) -> list[Shop]:
    """Shops with an owner and token, a few hundred customers and two well-stocked products."""
    stamp = time.time_ns()
    shops = []
    for n in range(count):
        business = Business.objects.create(
            name=f"HTTP bench shop {stamp}-{n}",
            gstin="27AAPFU0939F1ZV",  # charges GST
        )
        user = get_user_model().objects.create_user(username=f"bench-{stamp}-{n}")
        membership_grant(user=user, business=business, role="owner")
        token, _ = Token.objects.get_or_create(user=user)
        for i in range(CUSTOMERS_PER_SHOP):
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            surname = SURNAMES[(i // len(FIRST_NAMES)) % len(SURNAMES)]
            customer_create(business=business, name=f"{first} {surname} {i}")
        customer = Customer.objects.filter(business=business).order_by("pk").first()
        products = [
            product_create(
                business=business,
                name=name,
                unit="kg",
                selling_price=price,
                gst_rate=rate,
                opening_stock=D("1000000"),
            ).pk
            for name, price, rate in (("Sugar", "46.00", "5"), ("Maggi", "14.00", "18"))
        ]
        shops.append(Shop(business, token.key, customer.pk, products))
    return shops


def invoice_body(shop: Shop) -> dict:
    sugar, maggi = shop.product_ids
    return {
        "customer": shop.customer_id,
        "items": [
            {"product": sugar, "quantity": "2"},
            {"product": maggi, "quantity": "3"},
            {"description": "Carry bag", "quantity": "1", "unit_price": "5.00"},
        ],
    }


# --- the ASGI server -------------------------------------------------------------------


def server_command(kind: str, workers: int, fd: int) -> list[str]:
    """The production command line (Dockerfile, docs) serving on an inherited socket."""
    bin_dir = Path(sys.executable).parent
    if kind == "uvicorn":
        # The Dockerfile's command, with the socket handed over instead of -b/-p.
        return [
            str(bin_dir / "uvicorn"), "execora.asgi:application", "--fd", str(fd),
            "--workers", str(workers), "--lifespan", "off", "--no-proxy-headers",
            "--no-access-log",
        ]  # fmt: skip
    return [str(bin_dir / "daphne"), "--fd", str(fd), "-v", "0", "execora.asgi:application"]


@contextlib.contextmanager
def serve(kind: str, workers: int, log: Path, env: dict[str, str]) -> Iterator[list[str]]:
    """The ASGI server with `workers` processes; yields the base URLs to spread clients over.

    Each socket is bound here and handed over with --fd, so no other program can
    take the port between choosing and binding it. uvicorn's workers share one
    socket, as in production. daphne has no workers of its own: that many
    daphne processes, each on its own port, with clients spread round-robin as
    a proxy in front of them would. Stopped on the way out, whatever happens.
    """
    processes: list[subprocess.Popen] = []
    bases: list[str] = []
    with log.open("ab") as out:
        try:
            for _ in range(1 if kind == "uvicorn" else workers):
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.bind(("127.0.0.1", 0))
                listener.listen(1024)
                bases.append(f"http://127.0.0.1:{listener.getsockname()[1]}")
                with listener:
                    processes.append(
                        subprocess.Popen(  # noqa: S603 - our own venv's server, fixed arguments
                            server_command(kind, workers, listener.fileno()),
                            cwd=ROOT,
                            env=env,
                            pass_fds=[listener.fileno()],
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,  # Ctrl-C here reaches it only through us
                        )
                    )
            for base in bases:
                _wait_until_ready(base, processes)
            yield bases
        finally:
            _stop(processes)


def _wait_until_ready(base: str, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("the server exited during start-up; see its log")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- load -------------------------------------------------------------------------------

Request = Callable[[httpx.AsyncClient, Shop], Awaitable[httpx.Response]]


async def post_invoice(client: httpx.AsyncClient, shop: Shop) -> httpx.Response:
    return await client.post(
        "/api/v1/invoices/",
        json=invoice_body(shop),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


async def search_customers(client: httpx.AsyncClient, shop: Shop) -> httpx.Response:
    return await client.get("/api/v1/customers/", params={"search": "ram"})


async def load(
    bases: list[str], shops: list[Shop], clients: int, seconds: float, request: Request, expect: int
) -> Result:
    """`clients` concurrent clients sending `request` back to back for `seconds`."""
    result = Result()
    start = asyncio.Event()
    stop_at = 0.0

    async def client(index: int) -> None:
        shop = shops[index % len(shops)]
        headers = {"Authorization": f"Token {shop.token}"}
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        base = bases[index % len(bases)]
        async with httpx.AsyncClient(
            base_url=base, headers=headers, limits=limits, timeout=30
        ) as http:
            await request(http, shop)  # warm: connect, and the first request of each path
            await start.wait()
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                try:
                    response = await request(http, shop)
                except httpx.HTTPError as exc:
                    name = type(exc).__name__
                    result.errors[name] = result.errors.get(name, 0) + 1
                    continue
                took = time.perf_counter() - began
                if response.status_code == expect:
                    result.latencies.append(took)
                else:
                    code = str(response.status_code)
                    result.errors[code] = result.errors.get(code, 0) + 1

    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    await asyncio.sleep(1.0)  # let every client connect and warm up
    began = time.monotonic()
    stop_at = began + seconds
    start.set()
    await asyncio.gather(*tasks)
    result.elapsed = time.monotonic() - began
    return result


# --- the service layer, for the ratio ---------------------------------------------------


def service_rate(shops: list[Shop], workers: int, seconds: float) -> float:
    """Invoices/s of invoice_create called directly, as benchmarks/invoice_create.py does."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from invoice_create import _run  # the books benchmark's forked-process runner

    def work(index: int) -> None:
        shop = shops[index % len(shops)]
        sugar, maggi = shop.product_ids
        invoice_create(
            business=shop.business,
            customer_id=shop.customer_id,
            items=[
                InvoiceItemInput(product_id=sugar, quantity=D("2")),
                InvoiceItemInput(product_id=maggi, quantity=D("3")),
                InvoiceItemInput(description="Carry bag", quantity=D("1"), unit_price=D("5.00")),
            ],
        )

    return _run(workers, seconds, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument(
        "--shops", type=int, default=0, help="shops billed (default: one per client)"
    )
    parser.add_argument(
        "--server", choices=("uvicorn", "daphne"), default="uvicorn", help="ASGI server"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="server processes (default: one per CPU, as the Dockerfile runs)",
    )
    parser.add_argument(
        "--no-pool",
        action="store_true",
        help="serve without the connection pool (DATABASE_POOL_MAX_SIZE=0)",
    )
    parser.add_argument(
        "--no-service", action="store_true", help="skip the service-layer rate and the ratio"
    )
    args = parser.parse_args()
    # A plain kill must also stop the server: SystemExit runs the `finally` that does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)

    shops = make_shops(args.shops or args.clients)
    connections.close_all()  # the server and the forked workers open their own
    log = Path(tempfile.gettempdir()) / f"execora-bench-{args.server}-{os.getpid()}.log"
    env = dict(os.environ)
    if args.no_pool:
        env["DATABASE_POOL_MAX_SIZE"] = "0"
    try:
        with serve(args.server, args.workers, log, env) as bases:
            invoices = asyncio.run(
                load(bases, shops, args.clients, args.seconds, post_invoice, expect=201)
            )
            searches = asyncio.run(
                load(bases, shops, args.clients, args.seconds, search_customers, expect=200)
            )
    except BaseException:
        if log.exists():
            sys.stderr.write(f"--- {args.server} log ({log}) ---\n{log.read_text()[-4000:]}\n")
        raise
    if invoices.errors or searches.errors:
        sys.stderr.write(f"--- {args.server} log ({log}) ---\n{log.read_text()[-6000:]}\n")
    else:
        log.unlink(missing_ok=True)

    service = None if args.no_service else service_rate(shops, args.clients, args.seconds)
    # What HTTP wrote must add up: checked for this run's shops only (the whole
    # benchmark database grows with every run).
    problems = [
        problem
        for shop in shops
        for problem in ledger_discrepancies(business=shop.business)
        + stock_discrepancies(business=shop.business)
    ]
    if problems:
        sys.exit("The books do not add up:\n" + "\n".join(problems))

    pooled = "no pool" if args.no_pool else "pool"
    print(
        f"{args.server} x{args.workers}, {args.clients} clients, {len(shops)} shop(s), "
        f"{args.seconds:g} s each, PostgreSQL ({pooled}), load {os.getloadavg()[0]:.1f}"
    )
    print(invoices.line("POST /api/v1/invoices/ (3 items)"))
    print(searches.line("GET /api/v1/customers/?search=ram"))
    if service:
        name = f"service layer invoice_create ({args.clients} procs)"
        print(f"{name:38} {service:8.1f} invoices/s")
        print(f"{'HTTP / service layer':38} {invoices.rate / service:8.1%}")


if __name__ == "__main__":
    main()
