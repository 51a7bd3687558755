"""The compose file and Dockerfile (no Docker engine runs here, so they are parsed)."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "AUDIT_HMAC_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name


def test_app_services_run_the_right_commands(compose):
    services = compose["services"]
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_every_required_variable(compose, service):
    config = compose["services"][service]
    assert config["build"] == "."
    env = config["environment"]
    for name in REQUIRED_ENV:
        assert env.get(name), f"{service} lacks {name}"
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        assert env[name].startswith("redis://redis:6379/")
    depends = config["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_secrets_come_from_the_environment_not_the_file(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("DJANGO_SECRET_KEY", "AUDIT_HMAC_KEY", "POSTGRES_PASSWORD"):
        assert re.search(r"\$\{" + name + r":\?", text), name
    assert compose["services"]["postgres"]["volumes"] == [
        "pgdata:/var/lib/postgresql/data"
    ]
    assert "pgdata" in compose["volumes"]


def test_dockerfile_installs_the_project_and_runs_gunicorn_unprivileged():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("# ") and "FROM python:3.11" in text
    assert "--require-hashes -r requirements/base.txt" in text
    assert "pip install --no-cache-dir --no-deps ." in text
    assert "collectstatic --noinput" in text
    # The build runs with production settings: every required variable is given.
    (build,) = re.findall(r"^RUN .*?collectstatic[^\n]*", text, re.M | re.S)
    assert re.search(
        r"^\s+DJANGO_SETTINGS_MODULE=config.settings.production$", text, re.M
    )
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "AUDIT_HMAC_KEY",
        "DATABASE_URL",
        "REDIS_URL",
    ):
        assert f"{name}=" in build, name
    assert re.search(r"^USER city$", text, re.M)
    for app in (
        "config",
        "core",
        "accounts",
        "moderation",
        "appeals",
        "retention",
        "notices",
    ):
        assert f"COPY {app} ./{app}" in text


def test_make_run_points_emailed_links_at_its_own_port():
    import subprocess

    out = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in out


def test_compose_requires_the_public_address_for_emailed_links(compose):
    for service in APP_SERVICES:
        assert compose["services"][service]["environment"]["SITE_URL"]
    assert re.search(r"\$\{SITE_URL:\?", (ROOT / "docker-compose.yml").read_text())


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {
        name.lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M)
    }


def test_lock_files_hold_the_versions_pyproject_pins():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = _pins("base.txt"), _pins("dev.txt")

    def pinned(spec: str) -> tuple[str, str]:
        name, version = spec.split("==")
        return name.split("[")[0].lower(), version

    for spec in project["dependencies"]:
        name, version = pinned(spec)
        assert runtime.get(name) == version, f"requirements/base.txt: {spec}"
        assert dev.get(name) == version, f"requirements/dev.txt: {spec}"
    for spec in project["optional-dependencies"]["dev"]:
        name, version = pinned(spec)
        assert dev.get(name) == version, f"requirements/dev.txt: {spec}"
        # Development tools (the demo's process runner included) stay out of the
        # production image.
        assert name not in runtime, f"{name} is a development tool"


def _published(port) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Return (host address, container port) of a compose port entry."""
    if isinstance(port, dict):  # long syntax
        return port.get("host_ip", "0.0.0.0"), str(port["target"])  # noqa: S104
    parts = str(port).rsplit(":", 2)
    if len(parts) == 3:
        return parts[0], parts[2]
    return "0.0.0.0", parts[-1]  # noqa: S104  ("8000:8000" or "8000": every address)


def _default_of(value: str) -> str:
    match = re.fullmatch(r"\$\{\w+:-([^}]*)\}", value)
    return match.group(1) if match else value


def test_no_client_reaches_the_app_past_the_proxy_it_trusts(compose):
    """with TRUSTED_PROXY_COUNT=1 and port 8000 published on
    every address, a client that reached gunicorn directly wrote its own
    X-Forwarded-For: past the rate limit, into the audit trail's addresses."""
    for name, service in compose["services"].items():
        proxies = int(
            _default_of(
                str(service.get("environment", {}).get("TRUSTED_PROXY_COUNT", 0))
            )
        )
        for port in service.get("ports", []):
            host, _ = _published(port)
            assert host == "127.0.0.1" or proxies == 0, (name, port)
    # The app still reaches the proxy, on this host.
    assert [_published(p) for p in compose["services"]["web"]["ports"]] == [
        ("127.0.0.1", "8000")
    ]


def test_the_deployment_notes_say_when_to_change_the_proxy_count():
    notes = (ROOT / "docs" / "deployment-notes.md").read_text()
    assert "TRUSTED_PROXY_COUNT" in notes
    assert "127.0.0.1:8000:8000" in notes
