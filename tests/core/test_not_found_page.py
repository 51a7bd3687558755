"""With DEBUG on, the demo shows the product's own 404 page (PRODUCT_404_IN_DEBUG)."""

import logging
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

DEBUG_PAGE = "Using the URLconf defined in"  # Django's debug 404 page


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.PRODUCT_404_IN_DEBUG = True


def _assert_product_page(response):
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'href="#main"' in html  # the site's own layout
    assert DEBUG_PAGE not in html and "Raised by" not in html


def test_demo_shows_the_product_page_for_an_unknown_address(demo, client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    _assert_product_page(response)
    assert "Not Found: /no-such-page/" in caplog.text


def test_demo_shows_the_product_page_when_a_view_finds_nothing(demo, client):
    _assert_product_page(client.get("/notice/no-such-account/"))


def test_demo_still_adds_the_missing_slash(demo, client):
    response = client.get("/policy")
    assert response.status_code == 301
    assert response["Location"] == "/policy/"


def test_demo_pages_that_exist_are_unchanged(demo, client):
    assert client.get("/policy/").status_code == 200


def test_developers_keep_the_debug_page_unless_asked(settings, client):
    settings.DEBUG = True
    settings.PRODUCT_404_IN_DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert DEBUG_PAGE in response.content.decode()


def _make_run_environment(**env: str) -> str:
    """Return the environment `make run` starts the web server with (dry run)."""
    environment = {k: v for k, v in os.environ.items() if k != "PRODUCT_404_IN_DEBUG"}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed-stamp", "run"],
        cwd=Path(__file__).resolve().parents[2],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    start = dry_run[dry_run.index("SITE_URL=") :]
    assert ".venv/bin/honcho -f Procfile.dev start" in start
    start = start.replace(".venv/bin/honcho -f Procfile.dev start", "env")
    return subprocess.run(
        ["bash", "-c", start],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout


def test_make_run_turns_the_product_page_on_for_the_demo():
    assert "PRODUCT_404_IN_DEBUG=true" in _make_run_environment().splitlines()
    overridden = _make_run_environment(PRODUCT_404_IN_DEBUG="false")
    assert "PRODUCT_404_IN_DEBUG=false" in overridden.splitlines()
