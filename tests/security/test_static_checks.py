"""Item 6: CI runs ruff's security rules, bandit and the deployment checklist, and
the code passes them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _target(name: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name}:.*?\n((?:\t.*\n|.*\\\n)+)", makefile, re.M)
    assert match, f"no {name} target"
    return match.group(1)


def test_ci_runs_lint_and_security_checks():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci
    assert "make security" in ci
    security = _target("security")
    assert "bandit -c pyproject.toml -r ." in security
    assert "check --deploy --fail-level WARNING" in security
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in security
    assert "ruff check ." in _target("lint")


def test_ruff_selects_the_security_rules_everywhere_but_tests():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    for pattern, ignored in lint.get("per-file-ignores", {}).items():
        if any(rule.startswith("S") for rule in ignored):
            assert pattern.startswith(("tests/", "bench/")), pattern


def test_bandit_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
