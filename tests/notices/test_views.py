"""Public pages residents read, and the staff pages that review and publish."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Account
from notices.models import DocumentVersion
from notices.readability import GRADE_TARGET, document_readability
from tests.accounts.factories import (
    CompliantAccountFactory,
    ManagerAccessFactory,
    platform,
)
from tests.notices.factories import publish_both, publish_current

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


# Public pages ------------------------------------------------------------------


def test_notice_page_shows_the_live_version_with_numbered_anchored_sections(
    client, published
):
    html = _html(client.get("/notice/"))
    assert "<h1>Public notice for City of Maple Falls social media</h1>" in html
    assert 'id="notice-removal"' in html and 'href="#notice-removal"' in html
    assert "Version 1, in effect since" in html
    # Addresses and e-mails become links; no inline scripts or styles.
    assert 'href="mailto:clerk@maplefalls.example.gov"' in html
    assert "<script" not in html and "style=" not in html


def test_policy_page(client, published):
    html = _html(client.get("/policy/"))
    assert "City of Maple Falls social media policy" in html
    assert 'id="policy-comments"' in html


@pytest.mark.parametrize("url", ["/notice/", "/policy/"])
def test_pages_say_so_before_anything_is_published(client, city_profile, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "has not published" in _html(response)
    assert "info@maplefalls.example.gov" in _html(response)


def test_old_versions_stay_readable_at_stable_urls(
    client, city_profile, city_admin, time_machine
):
    time_machine.move_to("2026-11-20 15:05 -06:00", tick=False)
    publish_both(by=city_admin)
    time_machine.move_to("2026-11-27 09:00 -06:00", tick=False)
    city_profile.city_name = "Birch Lake"
    city_profile.save()
    v2 = publish_current(kind="notice", by=city_admin)
    old = _html(client.get("/notice/versions/1/"))
    assert "City of Maple Falls" in old and "This is an earlier version" in old
    assert (
        'in effect from <time datetime="2026-11-20">November 20, 2026</time> '
        'to <time datetime="2026-11-27">November 27, 2026</time>.'
    ) in old
    assert 'href="/notice/">Read the current version (version 2)' in old
    current = _html(client.get(v2.get_absolute_url()))
    assert "City of Birch Lake" in current and "earlier version" not in current
    assert (
        'Version 2, in effect since <time datetime="2026-11-27">November 27, 2026'
    ) in current
    assert "City of Birch Lake" in _html(client.get("/notice/"))
    listing = _html(client.get("/versions/"))
    assert 'href="/notice/versions/1/"' in listing
    assert 'href="/notice/versions/2/"' in listing
    assert (
        '<td><time datetime="2026-11-20">November 20, 2026</time></td>\n'
        '    <td><time datetime="2026-11-27">November 27, 2026</time></td>'
    ) in listing


def test_drafts_are_not_public(client, published, city_profile, city_admin):
    from notices.services import document_draft_prepare

    city_profile.city_name = "Birch Lake"
    city_profile.save()
    document_draft_prepare(kind="notice", by=city_admin)
    assert client.get("/notice/versions/2/").status_code == 404
    html = _html(client.get("/notice/"))
    assert "Public notice for City of Maple Falls" in html
    assert "City of Birch Lake" not in html
    assert client.get("/notice/versions/99/").status_code == 404


def test_account_notice_page_identifies_the_account_and_shows_the_notice(
    client, published
):
    account = CompliantAccountFactory(
        platform=platform("instagram"), display_name="Maple Falls Parks"
    )
    response = client.get(f"/notice/{account.slug}/")
    html = _html(response)
    assert response.status_code == 200
    assert "<h1>Maple Falls Parks on Instagram</h1>" in html
    # P5: an official city account, linked to the official website.
    assert "This is an official account of the City of Maple Falls." in html
    assert 'href="https://www.maplefalls.example.gov"' in html
    assert f'href="{account.url}"' in html
    assert account.department.name in html
    # P15: the notice itself, with its N6 appeal section.
    assert 'id="notice-appeal"' in html


def test_account_notice_page_for_a_shut_down_account_is_gone(client, published):
    account = CompliantAccountFactory(status=Account.Status.SHUT_DOWN)
    response = client.get(f"/notice/{account.slug}/")
    assert response.status_code == 410
    assert "no longer an official city account" in _html(response)
    assert 'id="notice-appeal"' not in _html(response)


def test_unknown_account_slug_is_404(client, published):
    assert client.get("/notice/no-such-account/").status_code == 404


def test_home_lists_the_official_accounts_and_links_everything(client, published):
    shown = CompliantAccountFactory(display_name="Maple Falls City Hall")
    ManagerAccessFactory(account=shown)
    hidden = CompliantAccountFactory(
        display_name="Old Library Page", status=Account.Status.SHUT_DOWN
    )
    html = _html(client.get("/"))
    assert "Maple Falls on social media" in html
    assert "Maple Falls City Hall" in html and f'href="{shown.url}"' in html
    assert f'href="/notice/{shown.slug}/"' in html
    assert hidden.display_name not in html  # P7: not a city account any more
    assert 'href="/notice/"' in html and 'href="/policy/"' in html
    for name in (
        "appeals:appeal-new",
        "appeals:challenge-new",
        "accounts:public-list",
        "transparency:index",
        "datarequests:request-new",
    ):
        try:
            url = reverse(name)
        except NoReverseMatch:  # not built yet by its app
            continue
        assert f'href="{url}"' in html


def test_home_before_a_profile_or_publication(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "has not published its notice and policy" in _html(response)


def test_public_pages_run_a_fixed_number_of_queries(
    client, published, django_assert_max_num_queries
):
    for _ in range(5):
        CompliantAccountFactory()
    with django_assert_max_num_queries(6):
        client.get("/")
    account = Account.objects.first()
    with django_assert_max_num_queries(5):
        client.get(f"/notice/{account.slug}/")


# Staff review and publication ---------------------------------------------------


def test_review_page_requires_the_city_administrator(client, login_as, manager):
    assert client.get("/staff/notices/").status_code == 302
    assert login_as(manager).get("/staff/notices/").status_code == 403


def test_review_shows_a_diff_and_publishes_through_the_page(
    login_as, city_admin, city_profile, time_machine
):
    time_machine.move_to("2026-11-20 15:05 -06:00", tick=False)
    publish_both(by=city_admin)
    time_machine.move_to("2026-11-27 09:30 -06:00", tick=False)
    client = login_as(city_admin)
    html = _html(client.get("/staff/notices/"))
    assert "matches the city profile" in html
    assert f"version 1</a>, published Nov. 20, 2026, 3:05 p.m. by {city_admin}." in (
        html
    )
    city_profile.appeal_email = "appeals@maplefalls.example.gov"
    city_profile.save()
    html = _html(client.get("/staff/notices/"))
    assert "changed since version 1 was published" in html
    response = client.post("/staff/notices/notice/prepare/", follow=True)
    html = _html(response)
    assert "Draft version 2 of the public notice is ready" in html
    assert f"Prepared Nov. 27, 2026, 9:30 a.m. by {city_admin}." in html
    # The changed line is shown once, with the old and new address marked in it.
    assert html.count("clerk@maplefalls.example.gov") == 1
    assert (
        '<li class="diff-changed"><span class="diff-tag">Changed:</span> '
        "Your appeal goes to the City Clerk." in html
    )
    assert (
        WORD_CHANGE.format(
            old="clerk@maplefalls.example.gov", new="appeals@maplefalls.example.gov"
        )
        in html
    )
    draft = DocumentVersion.objects.get(kind="notice", status="draft")
    assert 'href="/staff/notices/notice/draft/"' in html
    preview = _html(client.get("/staff/notices/notice/draft/"))
    assert "Draft version 2, not published" in preview
    response = client.post(
        "/staff/notices/notice/publish/",
        {"number": draft.number, "content_hash": draft.content_hash},
        follow=True,
    )
    assert "Version 2 of the public notice is now live." in _html(response)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == city_admin


WORD_CHANGE = (
    '<del><span class="visually-hidden">removed: </span>{old}'
    '<span class="visually-hidden"> (end removed) </span></del>'
    '<ins><span class="visually-hidden">added: </span>{new}'
    '<span class="visually-hidden"> (end added) </span></ins>'
)


def _changed_lines(html: str) -> list[str]:
    return re.findall(r'<li class="diff-changed">(.*?)</li>', html)


def _screen_reader_text(fragment: str) -> str:
    """The text of ``fragment`` as a screen reader reads it (hidden spans too)."""
    return re.sub(r"<[^>]+>", "", fragment)


def _visible_text(fragment: str) -> str:
    """The text of ``fragment`` as it is shown, without the visually hidden spans."""
    fragment = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", fragment)
    return re.sub(r"<[^>]+>", "", fragment)


def test_review_marks_the_changed_words_for_sight_and_for_screen_readers(
    login_as, city_admin, published, city_profile
):
    city_profile.appeal_answer_days = 15
    city_profile.save()
    client = login_as(city_admin)
    client.post("/staff/notices/notice/prepare/")
    html = _html(client.get("/staff/notices/"))
    [line] = [ln for ln in _changed_lines(html) if "business days" in ln]
    assert WORD_CHANGE.format(old="10", new="15") in line
    assert _visible_text(line) == (
        "Changed: We will answer you in writing as soon as we reasonably can. "
        "We aim to answer within 1015 business days."
    )
    assert _screen_reader_text(line) == (
        "Changed: We will answer you in writing as soon as we reasonably can. "
        "We aim to answer within removed: 10 (end removed) added: 15 (end added)  "
        "business days."
    )
    # The key says how changed words look, in words as well as in markup.
    assert "words taken out are <del>struck through</del>" in html
    assert "words put in are <ins>underlined</ins>" in html


def test_review_escapes_markup_typed_into_the_profile_or_a_category(
    login_as, city_admin, published, city_profile
):
    """A local explanation is typed by staff (P21 categories): it is text, never
    HTML, in the word-level difference as everywhere else."""
    from moderation.models import RemovalCategory

    category = RemovalCategory.objects.get(number=7)
    category.local_explanation = '<script>alert("hi")</script> Chain letters.'
    category.save()
    city_profile.appeal_contact = "City Clerk <img src=x onerror=alert(1)>"
    city_profile.save()
    client = login_as(city_admin)
    client.post("/staff/notices/notice/prepare/")
    html = _html(client.get("/staff/notices/"))
    assert "<script>alert" not in html and "<img src=x" not in html
    escaped = "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;"
    assert any(escaped in line for line in _changed_lines(html))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def _grade(version: DocumentVersion) -> str:
    return f"{document_readability(version.sections).grade:.1f}"


def test_review_shows_the_reading_level_of_the_live_version_and_of_the_draft(
    login_as, city_admin, published, city_profile
):
    client = login_as(city_admin)
    live = published["notice"]
    html = _html(client.get("/staff/notices/"))
    assert (
        f"Reading level: grade {_grade(live)} — aim for grade 8 or below. "
        "<strong>Within the aim.</strong>"
    ) in html
    city_profile.appeal_contact = "City Clerk's Office"
    city_profile.save()
    client.post("/staff/notices/notice/prepare/")
    draft = DocumentVersion.objects.get(kind="notice", status="draft")
    html = _html(client.get("/staff/notices/"))
    assert (
        f"Reading level: grade {_grade(draft)} (version 1: grade {_grade(live)}) "
        "— aim for grade 8 or below."
    ) in html
    preview = _html(client.get("/staff/notices/notice/draft/"))
    assert f"Reading level: grade {_grade(draft)} — aim for grade 8" in preview
    assert '<a href="#notice-removal">5. When a comment may be removed</a>' in preview


HARD_EXPLANATION = (
    "Notwithstanding the aforementioned considerations, unsolicited commercial "
    "advertisements, promotional solicitations and indiscriminately disseminated "
    "communications constitute impermissible contributions, irrespective of "
    "their ostensible relationship to municipal administration."
)


def test_a_draft_above_the_aim_says_so_and_shows_the_hardest_section(
    login_as, city_admin, published
):
    from moderation.models import RemovalCategory

    category = RemovalCategory.objects.get(number=7)
    category.local_explanation = HARD_EXPLANATION
    category.save()
    client = login_as(city_admin)
    client.post("/staff/notices/notice/prepare/")
    draft = DocumentVersion.objects.get(kind="notice", status="draft")
    assert document_readability(draft.sections).grade > GRADE_TARGET
    html = _html(client.get("/staff/notices/"))
    assert (
        f"Reading level: grade {_grade(draft)} (version 1: grade "
        f"{_grade(published['notice'])}) — aim for grade 8 or below. "
        '<strong class="reading-over">Above the aim.</strong>'
    ) in html
    assert "it shows which sections are the hardest to read" in html
    preview = _html(client.get("/staff/notices/notice/draft/"))
    rows = re.findall(r"<tr><td><a href=\"#([\w-]+)\">.*?</tr>", preview)
    assert len(rows) == 9
    above = re.findall(
        r'<tr><td><a href="#([\w-]+)">[^<]*</a></td><td>[\d.]+ '
        r"<strong>\(above the aim\)</strong>",
        preview,
    )
    assert "notice-removal" in above  # the section with the local explanation
    assert "notice-appeal" not in above


def test_publishing_a_stale_review_shows_an_error_and_publishes_nothing(
    login_as, city_admin, city_profile
):
    client = login_as(city_admin)
    client.post("/staff/notices/policy/prepare/")
    draft = DocumentVersion.objects.get(kind="policy")
    response = client.post(
        "/staff/notices/policy/publish/",
        {"number": draft.number, "content_hash": "0" * 64},
        follow=True,
    )
    assert "changed after you opened the page" in _html(response)
    assert not DocumentVersion.objects.filter(status="published").exists()
    response = client.post(
        "/staff/notices/policy/publish/", {"number": "x"}, follow=True
    )
    assert "nothing was published" in _html(response)


def test_discard_through_the_page(login_as, city_admin, city_profile):
    client = login_as(city_admin)
    client.post("/staff/notices/notice/prepare/")
    response = client.post("/staff/notices/notice/discard/", follow=True)
    assert "was discarded" in _html(response)
    assert not DocumentVersion.objects.exists()


def test_staff_actions_refuse_get_and_other_roles(
    client, login_as, manager, city_admin, city_profile
):
    assert client.post("/staff/notices/notice/prepare/").status_code == 302
    assert login_as(manager).post("/staff/notices/notice/prepare/").status_code == 403
    assert login_as(city_admin).get("/staff/notices/notice/publish/").status_code == 405
    assert not DocumentVersion.objects.exists()


def test_dashboard_panel_alerts_the_city_administrator(
    login_as, city_admin, published, city_profile
):
    client = login_as(city_admin)
    html = _html(client.get("/staff/"))
    assert "Public notice and policy" in html
    assert "the city profile changed" not in html
    city_profile.city_name = "Birch Lake"
    city_profile.save()
    html = _html(client.get("/staff/"))
    assert "the city profile changed, review it" in html
    panel = re.search(r'<section class="panel alert"[^>]*>\s*<h2[^>]*>([^<]+)', html)
    assert panel and panel.group(1) == "Public notice and policy"


def test_dashboard_panel_is_only_for_the_city_administrator(login_as, manager):
    assert "Public notice and policy" not in _html(login_as(manager).get("/staff/"))


# Account notice link, copy button and QR code (P15) -----------------------------


def test_account_link_page_shows_the_url_copy_button_and_qr(login_as, manager):
    account = CompliantAccountFactory()
    html = _html(login_as(manager).get(f"/staff/notices/accounts/{account.pk}/"))
    url = f"http://testserver/notice/{account.slug}/"
    assert f'value="{url}"' in html and "readonly" in html
    # The copy button is hidden until the static script reveals it (no JS: the
    # link can still be selected and copied).
    assert 'data-copy-target="notice-url" hidden' in html
    assert 'src="/static/notices/copy.js"' in html
    assert "<script>" not in html
    assert f'src="/staff/notices/accounts/{account.pk}/qr.svg"' in html
    assert f'alt="QR code that opens {url}"' in html


def test_qr_code_is_an_svg_of_the_notice_url(login_as, manager):
    account = CompliantAccountFactory(slug="city-hall")
    client = login_as(manager)
    response = client.get(f"/staff/notices/accounts/{account.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.lstrip().startswith("<?xml") and "<svg" in body and "<path" in body
    download = client.get(f"/staff/notices/accounts/{account.pk}/qr.svg?download=1")
    assert 'filename="notice-qr-city-hall.svg"' in download["Content-Disposition"]


def test_qr_code_decodes_to_the_url():
    """The encoded data is the URL (checked against qrcode's own data model)."""
    import qrcode

    code = qrcode.QRCode()
    code.add_data("http://testserver/notice/city-hall/")
    code.make()
    assert code.data_list[0].data == b"http://testserver/notice/city-hall/"


def test_account_link_pages_require_staff(client):
    account = CompliantAccountFactory()
    assert client.get(f"/staff/notices/accounts/{account.pk}/").status_code == 302
    assert client.get(f"/staff/notices/accounts/{account.pk}/qr.svg").status_code == 302


def test_account_admin_links_to_the_notice_link_page(login_as, city_admin):
    account = CompliantAccountFactory()
    html = _html(
        login_as(city_admin).get(
            reverse("admin:accounts_account_change", args=[account.pk])
        )
    )
    assert f'href="/staff/notices/accounts/{account.pk}/"' in html


@pytest.mark.parametrize(
    "role", ["city_admin", "records_officer", "attorney", "manager"]
)
def test_versions_are_read_only_in_the_admin(request, login_as, published, role):
    client = login_as(request.getfixturevalue(role))
    version = published["policy"]
    changelist = client.get(reverse("admin:notices_documentversion_changelist"))
    assert changelist.status_code == 200
    assert "/policy/versions/1/" in _html(changelist)
    url = reverse("admin:notices_documentversion_change", args=[version.pk])
    page = _html(client.get(url))
    assert 'name="title"' not in page  # shown, never editable
    response = client.post(url, {"title": "Changed"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.title == "City of Maple Falls social media policy"
