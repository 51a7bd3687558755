"""Every public page in a real browser: axe-core (WCAG 2.1 A/AA), keyboard only,
no JavaScript, 200% zoom, phone width and print (ADA Title II)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Account
from tests.accounts.factories import CompliantAccountFactory, platform
from tests.browser import DESKTOP, PHONE, ZOOM_200, click_and_load, describe
from tests.notices.factories import publish_both, publish_current

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@pytest.fixture
def city(city_profile: Any, city_admin: Any) -> dict[str, Any]:
    """A city with accounts, a live notice (version 2, so version 1 is superseded)
    and a live policy."""
    accounts = [
        CompliantAccountFactory(
            platform=platform("facebook"),
            display_name="City of Maple Falls",
            handle="maplefallsmn",
            slug="facebook",
        ),
        CompliantAccountFactory(
            platform=platform("instagram"),
            display_name="Maple Falls Parks & Recreation",
            handle="maplefallsparks_and_recreation_department",
            slug="parks-instagram",
        ),
        CompliantAccountFactory(
            platform=platform("x"),
            display_name="Maple Falls Police",
            handle="MapleFallsPD",
            slug="police-x",
            status=Account.Status.SUSPENDED,
        ),
    ]
    publish_both(by=city_admin)
    city_profile.general_phone = "(555) 010-0199"
    city_profile.save()
    publish_current(kind="notice", by=city_admin)
    return {"accounts": accounts, "admin": city_admin}


def public_pages() -> list[tuple[str, str]]:
    """(name, path) of every public page, the appeal forms included once built."""
    pages = [
        ("home", "/"),
        ("notice", "/notice/"),
        ("policy", "/policy/"),
        ("account-notice", "/notice/facebook/"),
        ("notice-version-1", "/notice/versions/1/"),
        ("versions", "/versions/"),
    ]
    for name, url_name in (
        ("appeal-form", "appeals:appeal-new"),
        ("challenge-form", "appeals:challenge-new"),
        ("account-list", "accounts:public-list"),
    ):
        url = _url(url_name)
        if url:
            pages.append((name, url))
    return pages


PAGES = public_pages()
# The appeal form's anti-robot minimum fill time: the form's stamp is rounded up to
# the next whole second, so "no minimum" for a browser that fills it at once is -1.
NO_MIN_FILL = -1


def _no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_every_public_page_passes_axe_at_desktop_and_phone_and_reflows_at_200(
    city, live_server, page, axe, shots, settings
):
    """One test (one database reset) for every page; all problems are reported."""
    problems = []
    for name, path in PAGES:
        for label, viewport in (
            ("desktop", DESKTOP),
            ("phone", PHONE),
            ("zoom200", ZOOM_200),
        ):
            page.set_viewport_size(viewport)
            response = page.goto(live_server.url + path)
            if response.status != 200:
                problems.append(f"{name}: status {response.status}")
                break
            if page.locator("h1").count() != 1:
                problems.append(f"{name}: not exactly one h1")
            if not _no_horizontal_scroll(page):
                problems.append(f"{name} scrolls sideways at {label}")
            if label == "zoom200":
                continue  # reflow only: the same markup was checked by axe above
            violations = axe(page)
            if violations:
                problems.append(f"{name} at {label}:\n{describe(violations)}")
            shots(page, f"{name}-{label}")
    # The appeal form's error state (P22 filers who make a mistake).
    url = _url("appeals:appeal-new")
    if url:
        settings.APPEALS_MIN_FILL_SECONDS = NO_MIN_FILL
        page.set_viewport_size(DESKTOP)
        page.goto(live_server.url + url)
        click_and_load(page, page.locator("main form button[type=submit]"))
        if page.locator(".error-summary").count() < 1:
            problems.append("appeal form: submitting it empty showed no error summary")
        violations = axe(page)
        if violations:
            problems.append(f"appeal form errors:\n{describe(violations)}")
        shots(page, "appeal-form-errors-desktop")
    assert not problems, "\n".join(problems)


def test_every_public_page_works_without_javascript(city, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    for name, path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        assert page.locator("main h1").is_visible(), name
    # The account page: its notice, with its numbered sections and appeal section.
    page.goto(live_server.url + "/notice/facebook/")
    assert page.locator("#notice-appeal").is_visible()
    page.get_by_role("link", name="How to appeal a removed comment").click()
    assert page.url.endswith("#notice-appeal")
    context.close()


def test_keyboard_alone_reaches_every_link_with_a_visible_focus(
    city, live_server, page
):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # shown on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    focusable = page.evaluate(
        "document.querySelectorAll('main a[href], main button:not([hidden])').length"
    )
    reached = set()
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const el = document.activeElement;
              const s = getComputedStyle(el);
              return {inMain: !!el.closest('main'), href: el.getAttribute('href'),
                      text: el.textContent.trim(),
                      outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px'};
            }"""
        )
        if not info["inMain"]:
            break
        assert info["outline"], f"no visible focus on {info['text']!r}"
        reached.add(info["text"])
    assert len(reached) == focusable
    # Following a link with Enter works too.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Read the public notice").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/notice/")


def test_pages_print_cleanly(city, live_server, page):
    page.goto(live_server.url + "/notice/facebook/")
    page.emulate_media(media="print")
    assert not page.locator("nav[aria-label=Main]").is_visible()
    assert not page.locator(".doc-contents").is_visible()
    assert not page.locator(".skip-link").is_visible()
    assert page.locator("#notice-removal").is_visible()
    assert page.locator(".account-facts").is_visible()
    # Links print their address, unless their text already is the address.
    after = "a => getComputedStyle(a, '::after').content"
    assert "facebook.com" in page.locator(".facts a:not(.is-url)").evaluate(after)
    assert page.locator(".facts a.is-url").evaluate(after) in ('""', "none")
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF")
    assert _no_horizontal_scroll(page)


def test_account_link_page_copy_button(city, live_server, browser, staff_cookie, axe):
    account = city["accounts"][0]
    path = f"/staff/notices/accounts/{account.pk}/"
    notice_url = f"{live_server.url}/notice/{account.slug}/"

    # Without JavaScript: no button, the link is still there to select and copy.
    context = browser.new_context(java_script_enabled=False)
    staff_cookie(context, city["admin"])
    page = context.new_page()
    page.goto(live_server.url + path)
    assert page.locator("#notice-url").input_value() == notice_url
    assert page.get_by_role("button", name="Copy link").count() == 0
    qr = page.locator("img.qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    context.close()

    # With JavaScript: the button appears and copies the link.
    context = browser.new_context()
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    staff_cookie(context, city["admin"])
    page = context.new_page()
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == notice_url
    violations = axe(page)
    assert violations == [], describe(violations)
    context.close()


def test_resident_goes_from_the_notice_to_a_filed_appeal_and_its_status(
    city, live_server, browser, settings, shots
):
    """The end-to-end path of a resident, without JavaScript: notice page -> appeal
    link -> file an appeal -> status page."""
    if _url("appeals:appeal-new") is None:
        pytest.skip("the appeal form is not built yet (appeals:appeal-new)")
    settings.APPEALS_MIN_FILL_SECONDS = NO_MIN_FILL
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/notice/facebook/")
    click_and_load(
        page, page.get_by_role("link", name="Appeal a removed comment").first
    )
    assert page.locator("h1").count() == 1
    account_select = page.get_by_label("Which city account was the comment on?")
    account_select.select_option(label="City of Maple Falls on Facebook (maplefallsmn)")
    page.get_by_label("What did the comment say").fill(
        "The new parking rules downtown make no sense for small shops."
    )
    page.get_by_label("Why does the comment not fall into any of the categories?").fill(
        "It was an opinion about city policy. It had no threats, links or ads."
    )
    page.get_by_label("Your name").fill("Jordan Resident")
    page.get_by_label("Email address").fill("jordan@example.org")
    click_and_load(page, page.get_by_role("button", name="Send my appeal"))
    assert "has been received" in page.locator("h1").inner_text(), page.locator(
        "main"
    ).inner_text()
    reference = page.locator(".reference").inner_text()
    assert _no_horizontal_scroll(page), "the long status link must wrap on a phone"
    shots(page, "appeal-filed-phone")
    click_and_load(page, page.locator("main a[href*='/status/']").first)
    assert reference in page.locator("main").inner_text()
    assert _no_horizontal_scroll(page)
    shots(page, "appeal-status-phone")
    context.close()
