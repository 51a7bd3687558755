"""Crash points: where the crash tests kill a process to prove what survives.

    crash_point("purge.batch_destroyed")

Does nothing unless the ``CRASH_AT`` setting names the point. No project settings
module defines it: only the crash tests' settings (``tests/crash_settings.py``)
read it from their environment, as ``name`` (the first time the point is reached)
or ``name:n`` (the n-th time). There the process kills itself with SIGKILL, as
the kernel's OOM killer or a Celery hard time limit would: no ``finally`` runs,
no transaction is rolled back by Python, nothing is flushed.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

from django.conf import settings

_reached: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Kill this process here if the crash tests asked for ``name``."""
    target = getattr(settings, "CRASH_AT", "")
    if not target:
        return
    point, _, nth = target.partition(":")
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
