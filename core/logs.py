"""Logging filters of the product (``LOGGING`` in config/settings/base.py)."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep a refused request (403) to its one line: Django logs it with the
    ``PermissionDenied`` traceback, which says nothing a reader needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
