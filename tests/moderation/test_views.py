"""The manager's form, the record page and its appended actions (P20-P22)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from core import clock
from core.models import AuditEvent
from moderation.models import RemovalAmendment, RemovalDecision
from tests.accounts.factories import ManagerAccessFactory
from tests.moderation.conftest import PNG
from tests.moderation.factories import RemovalDecisionFactory

pytestmark = pytest.mark.django_db

NEW = "/moderation/removals/new/"


def form_data(account: Any, **overrides: Any) -> dict[str, Any]:
    removed = timezone.localtime(clock.now() - timedelta(minutes=5))
    data = {
        "account": account.pk,
        "comment_url": "https://www.facebook.com/lakesideparks/posts/1?comment_id=777",
        "comment_text": "Visit cheap-pills.example for the best deals!!!",
        "author_name": "Pill Shop",
        "author_handle": "@pills",
        "posted_at": (removed - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "removed_at": removed.strftime("%Y-%m-%dT%H:%M"),
        "categories": _category_pks(7),
        "facts": "The comment advertises pills with a shop link.",
        "reasoning": "A commercial promotion unrelated to the post: category 7.",
        "platform_action": "hidden",
        "notified_via": "",
    }
    data.update(overrides)
    return data


def _category_pks(*numbers: int) -> list[str]:
    from moderation.models import RemovalCategory

    return [str(c.pk) for c in RemovalCategory.objects.filter(number__in=numbers)]


def test_the_url_is_stable():
    assert reverse("moderation:removal-new") == NEW


def test_form_offers_only_the_managers_accounts_and_the_explanations(
    login_as, account_manager, account, other_account
):
    response = login_as(account_manager).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "lakesideparks" in html
    assert "lakesidepolice" not in html
    # Each category with its explanation on hand (P21).
    assert "Commercial promotions or spam" in html
    assert "Advertising, sales pitches" in html
    assert 'name="viewport"' in html  # usable on a phone


def test_the_form_starts_where_a_manager_of_one_account_would(
    login_as, account_manager, account, other_account
):
    # P20, P21: the account chosen, the address focused, removed now, hidden,
    # not told yet; the facts optional, folded under "More details".
    html = login_as(account_manager).get(NEW).content.decode()
    assert "Account: <strong>lakesideparks</strong> (Facebook)" in html
    assert f'<input type="hidden" name="account" value="{account.pk}"' in html
    assert 'name="comment_url"' in html and "autofocus" in html
    assert html.index("autofocus") > html.index('name="comment_url"')
    assert re.search(r'<input type="radio" [^>]*value="hidden"[^>]* checked\s*>', html)
    assert 'Anything else relied on <span class="optional">(optional)</span>' in html
    more = html.index('<details class="more"')
    assert html.index('name="facts"') > more
    assert html.index('name="reasoning"') < more


def test_a_manager_of_several_accounts_chooses_first(
    login_as, account_manager, other_account
):
    ManagerAccessFactory(account=other_account, manager=account_manager)
    html = login_as(account_manager).get(NEW).content.decode()
    assert '<select name="account"' in html
    assert html.index("autofocus") < html.index('name="comment_url"')


def test_a_removal_without_facts_is_logged(login_as, account_manager, account):
    response = login_as(account_manager).post(NEW, form_data(account, facts=""))
    assert response.status_code == 302
    assert RemovalDecision.objects.get().facts == ""


def test_roles_without_logging_rights_are_refused(login_as, records_officer):
    assert login_as(records_officer).get(NEW).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302


def test_saving_logs_the_removal_and_offers_the_notification(
    login_as, account_manager, account, city_profile
):
    client = login_as(account_manager)
    response = client.post(NEW, form_data(account, categories=_category_pks(7)))
    decision = RemovalDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()

    page = client.get(response["Location"]).content.decode()
    assert f"{decision} is logged" in page
    assert "Tell the author" in page
    # The text to send: categories and the appeal instructions (N6, P22).
    assert "7. Commercial promotions or spam" in page
    assert city_profile.appeal_email in page
    assert "1 Main St" in page
    assert decision.reference in page
    assert decision.removed_by == account_manager


def test_errors_keep_everything_typed_and_save_nothing(
    login_as, account_manager, account
):
    data = form_data(
        account,
        categories=[],
        removed_at=timezone.localtime(clock.now() + timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    )
    response = login_as(account_manager).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in html
    assert "Tick at least one category" in html
    assert "The removal time is in the future" in html
    # Each error in the summary links to its field.
    assert '<a href="#id_categories_0">' in html and 'id="id_categories_0"' in html
    for typed in (
        "Visit cheap-pills.example",
        "Pill Shop",
        "@pills",
        data["posted_at"],
    ):
        assert typed in html
    assert "advertises pills with a shop link" in html
    assert not RemovalDecision.objects.exists()


def test_a_forged_account_is_refused_with_a_specific_message(
    login_as, account_manager, other_account
):
    data = form_data(
        other_account,
        categories=_category_pks(7),
        comment_url="https://www.facebook.com/lakesidepolice/posts/1?comment_id=1",
    )
    response = login_as(account_manager).post(NEW, data)
    assert response.status_code == 400
    assert "You may not log removals for lakesidepolice on" in response.content.decode()
    assert not RemovalDecision.objects.exists()


def test_an_unreadable_comment_address_is_a_form_error(
    login_as, account_manager, account
):
    data = form_data(account, categories=_category_pks(7), comment_url="http://[::1")
    response = login_as(account_manager).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the full address of the comment" in html
    assert "Pill Shop" in html
    assert not RemovalDecision.objects.exists()


def test_a_long_paste_is_refused_and_the_rest_kept(login_as, account_manager, account):
    data = form_data(account, categories=_category_pks(7), comment_text="y" * 100_000)
    response = login_as(account_manager).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "100,000 characters" in html
    assert "Pill Shop" in html
    assert not RemovalDecision.objects.exists()


def test_a_ten_megabyte_paste_gets_a_specific_message(
    login_as, account_manager, account
):
    data = form_data(
        account, categories=_category_pks(7), comment_text="z" * 10_000_000
    )
    response = login_as(account_manager).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "too large to read, so nothing was saved" in html
    assert "20,000" in html
    assert not RemovalDecision.objects.exists()


def test_a_non_image_screenshot_is_refused(login_as, account_manager, account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(account, categories=_category_pks(7))
    data["evidence"] = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not an image")
    response = login_as(account_manager).post(NEW, data)
    assert response.status_code == 400
    assert "not one of the accepted types" in response.content.decode()
    assert not RemovalDecision.objects.exists()


def test_the_error_summary_lists_the_problems_in_the_order_of_the_page(
    login_as, account_manager, account
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(account, categories=_category_pks(7), comment_id="9" * 201)
    data["evidence"] = SimpleUploadedFile("shot.png", b"")
    html = login_as(account_manager).post(NEW, data).content.decode()
    summary = html[html.index("error-summary-title") :]
    # Under "More details" the screenshot comes before the comment id.
    assert summary.index("Screenshot or PDF:") < summary.index("Comment id:")


def test_a_screenshot_is_saved_and_served_only_to_those_who_may_see_it(
    login_as, account_manager, account, make_staff, records_officer
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.roles import SOCIAL_MEDIA_MANAGER

    data = form_data(account, categories=_category_pks(7))
    data["evidence"] = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
    client = login_as(account_manager)
    client.post(NEW, data)
    decision = RemovalDecision.objects.get()
    evidence = decision.evidence.get()
    url = reverse("moderation:removal-evidence", args=[decision.pk, evidence.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="removal-{decision.pk}-evidence-{evidence.pk}.png"'
    )
    assert b"".join(response.streaming_content) == PNG

    client.logout()
    assert client.get(url).status_code == 302  # sign in first
    stranger = make_staff(SOCIAL_MEDIA_MANAGER)
    assert login_as(stranger).get(url).status_code == 404
    assert login_as(records_officer).get(url).status_code == 200


def test_record_page_visibility(
    login_as, make_staff, records_officer, attorney, city_admin
):
    from core.roles import SOCIAL_MEDIA_MANAGER

    decision = RemovalDecisionFactory()
    url = decision.get_absolute_url()
    stranger = make_staff(SOCIAL_MEDIA_MANAGER)
    assert login_as(stranger).get(url).status_code == 404
    for user in (records_officer, attorney, city_admin):
        response = login_as(user).get(url)
        assert response.status_code == 200
        assert decision.comment_text in response.content.decode()
    ManagerAccessFactory(account=decision.account, manager=stranger)
    assert login_as(stranger).get(url).status_code == 200


def test_read_only_roles_see_no_append_forms(login_as, records_officer):
    decision = RemovalDecisionFactory()
    html = login_as(records_officer).get(decision.get_absolute_url()).content.decode()
    assert "Append the correction" not in html
    assert "Tell the author" not in html


def test_recording_that_the_author_was_told(login_as, account_manager, account):
    decision = RemovalDecisionFactory(account=account)
    client = login_as(account_manager)
    url = reverse("moderation:removal-notify", args=[decision.pk])
    response = client.post(url, {"notified_via": "email", "notification_text": ""})
    assert response.status_code == 400
    assert "Paste the text you sent" in response.content.decode()
    response = client.post(
        url, {"notified_via": "email", "notification_text": "Dear author, ..."}
    )
    assert response.status_code == 302
    assert decision.amendments.get().kind == RemovalAmendment.Kind.AUTHOR_NOTIFIED
    html = client.get(decision.get_absolute_url()).content.decode()
    assert "Author told" in html and "Tell the author" not in html


def test_the_record_page_dates_each_step_with_its_time_zone(
    login_as, account_manager, account, time_machine
):
    # Printed for a data request: the zone is named, and the audit trail keeps
    # the seconds.
    time_machine.move_to("2026-11-27 15:05:09 -06:00", tick=False)
    decision = RemovalDecisionFactory(account=account)
    client = login_as(account_manager)
    client.post(
        reverse("moderation:removal-notify", args=[decision.pk]),
        {"notified_via": "email", "notification_text": "Dear author, ..."},
    )
    html = client.get(decision.get_absolute_url()).content.decode()
    assert "<dt>Posted</dt><dd>Nov. 27, 2026, 1:35 p.m. CST</dd>" in html
    assert "<dt>Removed</dt><dd>Nov. 27, 2026, 2:05 p.m. CST by " in html
    assert "<dt>Logged</dt><dd>Nov. 27, 2026, 3:05 p.m. CST</dd>" in html
    assert " on Nov. 27, 2026, 3:05 p.m. CST</dd>" in html  # the author told
    # The amendment, and the audit trail with its seconds.
    assert '<tr><td data-label="When">Nov. 27, 2026, 3:05 p.m.</td>' in html
    assert '<td data-label="When">Nov. 27, 2026, 3:05:09 p.m.</td>' in html


def test_appending_a_correction_from_the_record_page(
    login_as, account_manager, account
):
    decision = RemovalDecisionFactory(account=account)
    client = login_as(account_manager)
    url = reverse("moderation:removal-amend", args=[decision.pk])
    response = client.post(
        url,
        {
            "field": "categories",
            "categories": _category_pks(2, 7),
            "reason": "Also a threat.",
        },
    )
    assert response.status_code == 302
    amendment = decision.amendments.get()
    assert amendment.new_value == [2, 7]
    html = client.get(decision.get_absolute_url()).content.decode()
    assert "2. Direct threats" in html
    assert "Also a threat." in html


def test_a_bad_correction_shows_its_error(login_as, account_manager, account):
    decision = RemovalDecisionFactory(account=account)
    response = login_as(account_manager).post(
        reverse("moderation:removal-amend", args=[decision.pk]),
        {"field": "categories", "reason": "Oops."},
    )
    assert response.status_code == 400
    assert "Tick at least one category" in response.content.decode()
    assert not decision.amendments.exists()


# An id too large for a 64-bit column: SQLite raised OverflowError on it (a 500).
TOO_LARGE_ID = str(2**63)


def test_a_category_id_too_large_for_the_database_is_a_form_error(
    login_as, account_manager, account
):
    client = login_as(account_manager)
    data = form_data(account, categories=[*_category_pks(7), TOO_LARGE_ID])
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    assert not RemovalDecision.objects.exists()

    decision = RemovalDecisionFactory(account=account)
    response = client.post(
        reverse("moderation:removal-amend", args=[decision.pk]),
        {"field": "categories", "categories": [TOO_LARGE_ID], "reason": "Oops."},
    )
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    assert not decision.amendments.exists()


def test_a_time_before_year_one_in_utc_is_a_form_error(
    login_as, account_manager, account, settings
):
    """East of UTC, 0001-01-01 00:00 is in year 0 in UTC: saving or showing it
    raised OverflowError (SQLite) or DataError (PostgreSQL)."""
    settings.TIME_ZONE = "Pacific/Auckland"
    too_early = "0001-01-01T00:00"
    client = login_as(account_manager)
    data = form_data(account, categories=_category_pks(7), posted_at=too_early)
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "Enter a date and time, e.g." in response.content.decode()
    assert not RemovalDecision.objects.exists()

    decision = RemovalDecisionFactory(account=account)
    for action, data in [
        (
            "notify",
            {
                "notified_via": "email",
                "notification_text": "Dear author",
                "notified_at": too_early,
            },
        ),
        ("amend", {"field": "posted_at", "when": too_early, "reason": "Typo."}),
    ]:
        url = reverse(f"moderation:removal-{action}", args=[decision.pk])
        response = client.post(url, data)
        assert response.status_code == 400
        assert "Enter a date and time, e.g." in response.content.decode()
    assert not decision.amendments.exists()
    assert client.get(decision.get_absolute_url()).status_code == 200


def test_a_manager_of_another_account_cannot_append(login_as, make_staff):
    from core.roles import SOCIAL_MEDIA_MANAGER

    decision = RemovalDecisionFactory()
    other = make_staff(SOCIAL_MEDIA_MANAGER)
    response = login_as(other).post(
        reverse("moderation:removal-restore", args=[decision.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert not decision.amendments.exists()


def test_restoring_from_the_record_page(login_as, account_manager, account):
    decision = RemovalDecisionFactory(account=account)
    client = login_as(account_manager)
    url = reverse("moderation:removal-restore", args=[decision.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Posted in error."}).status_code == 302
    assert (
        "Comment restored" in client.get(decision.get_absolute_url()).content.decode()
    )
    assert AuditEvent.objects.filter(action="moderation.removal.restored").exists()


def test_dashboard_panel_counts_the_managers_accounts_only(
    login_as, account_manager, account
):
    RemovalDecisionFactory(account=account)
    RemovalDecisionFactory(account=account, removed_at=clock.now() - timedelta(days=10))
    RemovalDecisionFactory()  # another account
    html = login_as(account_manager).get(reverse("core:dashboard")).content.decode()
    assert "Comment removals" in html
    assert "1 removal logged in the last 7 days on your accounts" in html
    assert "2</strong> authors not told yet" in html


def test_dashboard_not_told_looks_back_30_days(login_as, account_manager, account):
    from moderation.selectors import NOT_TOLD_WINDOW_DAYS

    now = clock.now()
    RemovalDecisionFactory(
        account=account, removed_at=now - timedelta(days=NOT_TOLD_WINDOW_DAYS - 1)
    )
    RemovalDecisionFactory(
        account=account, removed_at=now - timedelta(days=NOT_TOLD_WINDOW_DAYS + 1)
    )
    html = login_as(account_manager).get(reverse("core:dashboard")).content.decode()
    assert "1</strong> author not told yet" in html
    assert "?told=no&amp;removed_from=" in html


def test_the_record_page_lists_the_appeals_that_appeals_registers(login_as, city_admin):
    # moderation never imports appeals: appeals registers the list in its
    # AppConfig.ready() (moderation.extensions), as it does the list's filters.
    from tests.appeals.factories import AppealAnsweredFactory

    appeal = AppealAnsweredFactory(outcome="upheld")
    html = login_as(city_admin).get(appeal.removal.get_absolute_url()).content.decode()
    assert "Appeals (P22)" in html
    assert f'<a href="{appeal.get_absolute_url()}">{appeal}: ' in html
    assert ": Answered, removal upheld</a>" in html
