"""execora.settings with psycopg's connection pool: what `api_http.py --pool` serves with.

Under ASGI every request runs its sync code in a thread of its own, so with
CONN_MAX_AGE each request opens a PostgreSQL connection (and leaves it for
the garbage collector); a pool hands each request an open one instead.
"""

from execora.settings import *  # noqa: F403
from execora.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
