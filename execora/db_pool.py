"""Fork safety for the per-process PostgreSQL connection pool (settings: DATABASE_POOL_*).

Django keeps one psycopg pool per process in a class attribute. A forked
child (a Celery prefork worker, a multiprocessing benchmark) inherits that
object, but not the pool's threads, and its connections' sockets are the
parent's: using them from two processes interleaves two conversations on one
socket. So the child forgets the pool and any connection it had checked out,
without closing them (closing would tell the server to end the parent's
sessions), and opens its own pool on first use.
"""

from __future__ import annotations

import os
import sys

_registered = False


def forget_inherited_pools() -> None:
    """In a forked child: drop the parent's pool and connections, unclosed; the next query opens
    a pool of this process's own."""
    backend = sys.modules.get("django.db.backends.postgresql.base")
    if backend is None:
        return  # PostgreSQL never used here: there is no pool to forget
    from django.db import connections

    backend.DatabaseWrapper._connection_pools.clear()
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.connection is not None:
            connection.connection = None  # the parent's socket: leave it to the parent
            connection.in_atomic_block = False
            connection.needs_rollback = False


def register_fork_handler() -> None:
    """Run `forget_inherited_pools` in every child forked from this process (once)."""
    global _registered
    if not _registered:
        os.register_at_fork(after_in_child=forget_inherited_pools)
        _registered = True
