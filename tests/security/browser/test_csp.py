"""Item 2 in a real browser: the public pages, the sign-in pages, the staff pages
and the admin work under the Content Security Policy, with no violation reported
and the admin's own JavaScript running."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PUBLIC = [
    "/",
    "/signin/",
    "/notice/",
    "/policy/",
    "/appeals/appeal/",
    "/appeals/challenge/",
]
STAFF = [
    "/staff/",
    "/admin/",
    "/admin/core/holiday/add/",
    "/admin/accounts/account/",
    "/admin/accounts/user/",
    "/admin/core/auditevent/",
]
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _visit(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (
        url,
        response and response.status,
    )
    assert "unsafe-inline" not in (
        response.headers.get("content-security-policy") or ""
    )
    page.wait_for_load_state("load")
    return page.evaluate("window.__csp")


def test_pages_work_under_the_policy(
    page, live_server, staff_cookie, city_admin, city_profile
):
    console = []
    page.on(
        "console",
        lambda msg: (
            console.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    violations = {}
    for url in PUBLIC:
        violations[url] = _visit(page, live_server.url + url)
    staff_cookie(page.context, city_admin)
    for url in STAFF:
        violations[url] = _visit(page, live_server.url + url)
    assert not any(violations.values()), violations
    assert not console, console
    # The admin's own scripts ran: the date field got its "Today" shortcut and the
    # calendar button from DateTimeShortcuts.js.
    page.goto(live_server.url + "/admin/core/holiday/add/")
    assert page.locator(".datetimeshortcuts a").count() >= 2
