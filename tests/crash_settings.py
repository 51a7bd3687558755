"""Settings for the processes the crash tests kill (tests/retention/test_crash.py):
the project's own settings, plus the one crash point (``core.faults``) the test
names in ``CRASH_AT``. No other settings module reads that variable."""

import os

from config.settings.local import *  # noqa: F403

CRASH_AT = os.environ.get("CRASH_AT", "")
