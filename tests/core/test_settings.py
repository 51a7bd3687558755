"""The settings modules: production's required settings and Django's deployment
checklist, the demo's switches refused in production, the embedded default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "AUDIT_HMAC_")
        )
        and k not in ("TWO_FACTOR_REQUIRED", "PRODUCT_404_IN_DEBUG")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 20
    + "-a-long-random-production-key-for-the-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "social.city.example.gov",
    "AUDIT_HMAC_KEY": "k" * 20 + "-a-long-random-audit-key-for-the-check-0123456789",
    "DATABASE_URL": "postgres://city@db.internal:5432/citysocial",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
}


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "AUDIT_HMAC_KEY",
        "DATABASE_URL",
        "REDIS_URL",
    ],
)
def test_missing_production_setting_fails_with_one_line(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", **env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Configuration error: {missing} must be set in production."
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "OUTBOX_DRAIN_INTERVAL_SECONDS",
        "OUTBOX_MAX_ATTEMPTS",
        "RETENTION_PURGE_INTERVAL_MINUTES",
        "AUDIT_ANCHOR_INTERVAL_MINUTES",
        "AUDIT_ANCHOR_EMAIL_HOURS",
        "FILE_DELETIONS_INTERVAL_MINUTES",
    ],
)
def test_a_job_interval_below_one_is_refused_with_one_line(name):
    result = _manage("check", **{**PRODUCTION, name: "0"})
    assert result.returncode == 2
    assert result.stderr.strip() == f"Configuration error: {name} must be at least 1."


def test_a_short_audit_key_is_refused_with_one_line():
    result = _manage("check", **{**PRODUCTION, "AUDIT_HMAC_KEY": "changeme"})
    assert result.returncode == 2
    assert result.stderr.startswith(
        "Configuration error: AUDIT_HMAC_KEY must be at least 32 characters long"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def _audit_key(**env: str) -> str:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.AUDIT_HMAC_KEY)",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_embedded_audit_key_is_derived_from_the_secret_key(tmp_path):
    first = _audit_key(VAR_DIR=str(tmp_path), DJANGO_SECRET_KEY="s" * 50)
    assert first == _audit_key(VAR_DIR=str(tmp_path), DJANGO_SECRET_KEY="s" * 50)
    assert first != _audit_key(VAR_DIR=str(tmp_path), DJANGO_SECRET_KEY="t" * 50)
    assert "s" * 50 not in first and len(first) >= 32
    # An explicit key wins, in the demo as in production.
    assert _audit_key(VAR_DIR=str(tmp_path), AUDIT_HMAC_KEY="e" * 40) == "e" * 40


def test_embedded_default_needs_no_environment(tmp_path):
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    # The embedded secret key is generated per checkout, outside the repository.
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_switch_to_services(monkeypatch):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os;"
            "os.environ['DJANGO_SETTINGS_MODULE']='config.settings.local';"
            "from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE']);"
            "print(s.CACHES['default']['BACKEND']);"
            "print(s.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DATABASE_URL": "postgres://city@db.internal:5432/citysocial",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django_redis.cache.RedisCache",
        "redis://cache.internal:6379/1",
    ]


@pytest.mark.parametrize(
    "switch", [("TWO_FACTOR_REQUIRED", "false"), ("PRODUCT_404_IN_DEBUG", "true")]
)
def test_production_refuses_a_demo_switch_with_one_line(switch):
    name, value = switch
    result = _manage("check", **{**PRODUCTION, name: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {name}")
    assert "config.settings.local" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_takes_the_broker_from_redis_url_unless_given():
    code = "from django.conf import settings as s; print(s.CELERY_BROKER_URL)"
    result = _manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == PRODUCTION["REDIS_URL"]


def test_production_refuses_to_load_the_demo_users():
    result = _manage("seed_demo", **PRODUCTION)
    assert result.returncode == 1
    assert "runs only with the embedded demo's settings" in result.stderr
