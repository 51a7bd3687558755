"""Item 2: headers and cookies, HTTPS, unknown hosts, and error pages that show no
technical detail. The production values come from the production settings
themselves (a subprocess with config.settings.production), then are applied here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "p" * 60,
    "DJANGO_ALLOWED_HOSTS": "social.city.example.gov",
    "AUDIT_HMAC_KEY": "a" * 64,
    "DATABASE_URL": "postgres://city@db.internal:5432/citysocial",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
}
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "TWO_FACTOR_REQUIRED",
    "ALLOWED_HOSTS",
]


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """Return the security settings as production mode computes them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{k: getattr(s, k, None) for k in {SECURITY_SETTINGS!r}}},"
        " default=str))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("TWO_FACTOR_REQUIRED", None)
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def as_production(settings, production):
    """Apply the production security settings to this test's requests."""
    for name in SECURITY_SETTINGS:
        if name in ("DEBUG", "ALLOWED_HOSTS"):
            continue
        value = production[name]
        if name == "SECURE_PROXY_SSL_HEADER" and value:
            value = tuple(value)
        if name == "CONTENT_SECURITY_POLICY":
            # JSON turned the nonce marker into a string: restore the real one.
            from csp.constants import NONCE

            for values in value["DIRECTIVES"].values():
                if isinstance(values, list):
                    values[:] = [
                        NONCE if v == "csp.constants.NONCE" else v for v in values
                    ]
        setattr(settings, name, value)
    return settings


def test_production_settings_are_strict(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["TWO_FACTOR_REQUIRED"] is True
    assert production["ALLOWED_HOSTS"] == ["social.city.example.gov"]


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_http_is_redirected_to_https(client, as_production):
    response = client.get("/some/page?x=1")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/some/page?x=1"


def test_https_responses_carry_every_security_header(client, as_production):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31536000
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert "upgrade-insecure-requests" in csp


@pytest.mark.parametrize("url", ["/", "/signin/", "/admin/", "/staff/", "/nope/"])
def test_no_page_allows_inline_script_or_eval(client, url, login_as, city_admin):
    if url in ("/admin/", "/staff/"):
        client = login_as(city_admin)
    response = client.get(url)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "'self'" in header


def test_staff_session_cookies_are_secure_httponly_and_samesite(
    client, as_production, manager
):
    response = client.post(
        "/signin/",
        {
            "login_view-current_step": "auth",
            "auth-username": manager.username,
            "auth-password": PASSWORD,
        },
        secure=True,
    )
    assert response.status_code in (200, 302)
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = (
        client.get("/signin/", secure=True).cookies.get("csrftoken")
        or client.cookies["csrftoken"]
    )
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"


def test_unknown_host_gets_400_with_no_detail(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bad request" in html
    for leak in ("attacker.example", "ALLOWED_HOSTS", "DisallowedHost", "Traceback"):
        assert leak not in html


@pytest.mark.urls("tests.security.urls")
def test_a_crash_shows_the_friendly_page_and_no_detail(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    for leak in ("Traceback", "RuntimeError", "SECRET_KEY", "hunter2", "settings"):
        assert leak not in html


def test_permission_denied_and_not_found_pages_are_plain(login_as, manager, client):
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "Traceback" not in html
    response = login_as(manager).get("/admin/core/auditevent/")
    assert response.status_code == 403


ERROR_TEMPLATES = [
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "405.html",
    "413.html",
    "429.html",
    "500.html",
]


@pytest.mark.parametrize("template", ERROR_TEMPLATES)
def test_error_pages_are_accessible_and_self_contained(template, rf):
    html = render_to_string(template, {"limit_mb": 25}, request=rf.get("/"))
    assert '<html lang="en">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert html.count("<h1>") == 1
    assert '<main id="main"' in html
    assert 'href="#main"' in html
    assert "<script" not in html and "style=" not in html


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on...= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_unsafe_inline():
    """The CSP forbids inline script and style: every template in the project,
    including those apps add later, must work without them."""
    problems = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                if pattern.search(text):
                    problems.append(f"{path.relative_to(ROOT)}: {what}")
    assert not problems, "\n".join(problems)


def test_admin_pages_load_only_their_own_scripts(login_as, city_admin):
    html = login_as(city_admin).get("/admin/core/holiday/add/").content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "the admin form uses its own JavaScript"
    for tag in scripts:
        src = re.search(r'src="([^"]+)"', tag)
        assert src, tag
        # Same origin only: the site's own static files and the admin's own views.
        assert src.group(1).startswith("/") and not src.group(1).startswith("//"), tag
