"""/transparency/ and the frozen report in a real browser: axe-core (WCAG 2.1 A/AA)
at 1280 and 390 px, no sideways scrolling, no JavaScript needed, print."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import DESKTOP, PHONE, click_and_load, describe
from transparency import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("transparency", "/transparency/"),
    ("transparency-2025", "/transparency/?year=2025"),
    ("report-2025", "/transparency/2025/"),
]


@pytest.fixture
def published(year_2025: Any, city_admin: Any) -> None:
    services.report_freeze(year=2025, by=city_admin)


def _no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_pages_pass_axe_at_desktop_and_phone(published, live_server, page, axe, shots):
    problems = []
    for name, path in PAGES:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            response = page.goto(live_server.url + path)
            assert response is not None
            if response.status != 200:
                problems.append(f"{name}: status {response.status}")
                break
            if page.locator("h1").count() != 1:
                problems.append(f"{name}: not exactly one h1")
            if not _no_horizontal_scroll(page):
                problems.append(f"{name} scrolls sideways at {label}")
            charts = page.locator("svg.bar-chart")
            if charts.count() != 5:
                problems.append(f"{name}: {charts.count()} charts, not 5")
            # A chart is at least readable: not squeezed below 300 px wide.
            if charts.first.bounding_box()["width"] < 300:
                problems.append(f"{name} at {label}: the chart is too narrow")
            violations = axe(page)
            if violations:
                problems.append(f"{name} at {label}:\n{describe(violations)}")
            shots(page, f"{name}-{label}")
    assert not problems, "\n".join(problems)


def test_pages_work_without_javascript_and_print(published, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    for _name, path in PAGES:
        page.goto(live_server.url + path)
        assert page.locator("svg.bar-chart").count() == 5
        assert page.get_by_text("Parks and Recreation (Facebook)").count() >= 1
    # The year chooser is a plain form.
    page.goto(live_server.url + "/transparency/")
    page.get_by_label("Show the figures for").select_option("2025")
    click_and_load(page, page.get_by_role("button", name="Show"))
    assert "From January 1, 2025" in page.locator(".period").inner_text()
    page.get_by_label("Show the figures for").select_option("last-12-months")
    click_and_load(page, page.get_by_role("button", name="Show"))
    assert "From April 1, 2025" in page.locator(".period").inner_text()
    page.goto(live_server.url + "/transparency/2025/")
    page.emulate_media(media="print")
    assert page.locator(".site-header nav").is_hidden()
    assert page.locator("svg.bar-chart").first.is_visible()
    pdf_context = browser.new_context()
    pdf_page = pdf_context.new_page()
    pdf_page.goto(live_server.url + "/transparency/2025/")
    assert pdf_page.pdf()[:4] == b"%PDF"  # what "Save as PDF" makes
    context.close()
    pdf_context.close()
