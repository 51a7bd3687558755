"""Reachability checks for the database, the cache and the Celery broker."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just stored")
    cache.delete(key)


def check_broker() -> None:
    from celery import current_app

    from core.broker import ensure_broker_folders

    ensure_broker_folders()
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        if conn.transport.driver_type == "redis":
            # ensure_connection alone may reuse a pooled socket: ask the server.
            conn.default_channel.client.ping()  # type: ignore[attr-defined]


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_checks() -> dict[str, str]:
    """Return ``{name: "ok" | "error: ..."}`` for every dependency."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.exception("health check %s failed", name)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return results
