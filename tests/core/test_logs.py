"""What the product's log says about a refused page: one line, once."""

import logging
import subprocess
import sys
from pathlib import Path

from core.logs import ForbiddenWithoutTraceback

ROOT = Path(__file__).resolve().parents[2]


def test_a_refused_page_is_logged_without_its_traceback():
    try:
        raise PermissionError("refused")
    except PermissionError:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden",
            (),
            sys.exc_info(),
        )
    record.status_code = 403
    assert ForbiddenWithoutTraceback().filter(record)
    assert record.exc_info is None


def test_an_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Error", (), sys.exc_info()
        )
    record.status_code = 500
    ForbiddenWithoutTraceback().filter(record)
    assert record.exc_info is not None


def test_the_demo_prints_a_refused_page_once_in_one_line(tmp_path):
    code = (
        "import django, logging; django.setup();"
        "from django.core.exceptions import PermissionDenied;"
        "from django.test import RequestFactory;"
        "from django.core.handlers.exception import response_for_exception;"
        "response_for_exception(RequestFactory().get('/staff/x/'), PermissionDenied())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "VAR_DIR": str(tmp_path),
            "PATH": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line for line in result.stderr.splitlines() if "Forbidden" in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
