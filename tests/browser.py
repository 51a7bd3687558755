"""Browser tests: pytest-playwright driving Debian's Chromium, with axe-core.

The one place their fixtures live (``tests/conftest.py`` imports them): a test in a
``browser/`` folder is marked ``browser``; the browser starts once the test
database exists; a test asks for ``signed_in`` (a page signed in as a person), ``axe``
(WCAG 2.0 and 2.1 A and AA), ``shots``, ``staff_cookie``, and imports the viewports
(``DESKTOP``, ``PHONE``, ``ZOOM_200``, ``WIDTHS``), ``describe``, ``Checks`` and
``click_and_load`` from here.

Never run ``playwright install``: the tests use the system's ``/usr/bin/chromium``
(``.ci/run`` installs it with apt). Without it they skip, or fail under
``REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# 1280 CSS pixels at 200% zoom leave 640 CSS pixels of layout width.
ZOOM_200 = {"width": 640, "height": 450}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict:
    """Launch Debian's Chromium (no downloaded browser builds)."""
    from tests.conftest import service_missing

    if not os.access(CHROMIUM, os.X_OK):
        service_missing(f"Chromium is not installed at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses
    # to run while one is running unless told it is safe (it is: the test and the
    # loop never run at the same time).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-US"}


@pytest.fixture
def axe() -> Callable[[Any], list[dict[str, Any]]]:
    """Return a function that runs axe-core on a page and returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    runner = Axe()

    def run(page: Any) -> list[dict[str, Any]]:
        return runner.run(page, options=AXE_OPTIONS).response["violations"]

    return run


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


# True when the page fits its width (no sideways scroll).
NO_SIDEWAYS_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)
# A phone's width and a desktop's, for ``@pytest.mark.parametrize("viewport", WIDTHS)``.
WIDTHS = [pytest.param(PHONE, id="390px"), pytest.param(DESKTOP, id="1280px")]


class Checks:
    """Run axe and the no-sideways-scroll check on each page visited; collect
    every problem so one run reports them all."""

    def __init__(self, axe: Any, shots: Any, width: str) -> None:
        self.axe, self.shots, self.width = axe, shots, width
        self.problems: list[str] = []

    def __call__(self, page: Any, name: str) -> None:
        page.wait_for_load_state()
        if page.locator("h1").count() != 1:
            self.problems.append(f"{name}: not exactly one h1")
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            self.problems.append(f"{name} scrolls sideways at {self.width}")
        violations = self.axe(page)
        if violations:
            self.problems.append(f"{name} at {self.width}:\n{describe(violations)}")
        self.shots(page, f"{name}-{self.width}")

    def done(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def click_and_load(page: Any, control: Any) -> None:
    """Click ``control`` (a form's button, a link) and return once the page it
    loads has loaded. Playwright's ``click`` does not wait for the navigation it
    starts, so a check made straight after it may read the page being left."""
    with page.expect_navigation():
        control.click()


@pytest.fixture
def shots() -> Callable[[Any, str], None]:
    """Save a full-page screenshot when NOTICES_SHOTS_DIR is set (for review by eye)."""
    folder = os.environ.get("NOTICES_SHOTS_DIR")

    def save(page: Any, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def staff_cookie(login_as: Callable[[Any], Any], live_server: Any) -> Callable:
    """Return a function that signs ``user`` in within a browser context."""

    def sign_in(context: Any, user: Any) -> None:
        from django.conf import settings

        name = settings.SESSION_COOKIE_NAME
        session = login_as(user).cookies[name].value
        context.add_cookies([{"name": name, "value": session, "url": live_server.url}])

    return sign_in


TESTS = Path(__file__).parent


def is_browser_test(item: pytest.Item) -> bool:
    """Whether ``item`` is in a ``browser/`` folder of the tests."""
    path = Path(str(item.fspath))
    return path.is_relative_to(TESTS) and "browser" in path.relative_to(TESTS).parts


@pytest.fixture(scope="session")
def browser(django_db_setup: None, launch_browser: Callable[[], Any]) -> Iterator[Any]:
    """pytest-playwright's browser, started only once the test database exists:
    while Playwright's event loop runs, ``django.db.connections`` hands this
    thread new connection objects (asgiref's context-local storage)."""
    started = launch_browser()
    yield started
    started.close()


@pytest.fixture
def signed_in(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Return a function that opens a browser page signed in as ``user`` (each
    person in a session of their own, so two people can be signed in at once)."""
    from django.conf import settings

    from tests.conftest import verify_second_factor

    contexts = []

    def open_page(user: Any, viewport: dict[str, int]) -> Any:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        verify_second_factor(client, user)
        context = browser.new_context(viewport=viewport, locale="en-US")
        contexts.append(context)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies(
            [
                {
                    "name": name,
                    "value": client.cookies[name].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
