"""Turn a missing production setting into one line on stderr and exit status 2."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured


@contextmanager
def exit_on_missing_setting() -> Iterator[None]:
    try:
        yield
    except ImproperlyConfigured as exc:
        if type(exc).__name__ != "MissingSetting":
            raise
        print(f"Configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
