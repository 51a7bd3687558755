"""The public appeal and challenge forms, the confirmation and the status page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client

from appeals import services
from appeals.models import (
    COMMENT_TEXT_MAX,
    EXPLANATION_MAX,
    NAME_MAX,
    Appeal,
    Filing,
    LegalityChallenge,
)
from appeals.views.public import APPEAL_FORM
from core import outbox
from tests.appeals.conftest import aged_stamp
from tests.appeals.factories import (
    AppealAnsweredFactory,
    AppealFactory,
    ChallengeFactory,
)

pytestmark = pytest.mark.django_db

APPEAL_URL = "/appeals/appeal/"
CHALLENGE_URL = "/appeals/challenge/"


def html_of(response) -> str:
    return response.content.decode()


# --- the appeal form --------------------------------------------------------------


def test_appeal_form_shows_every_category_and_what_happens_next(client, account):
    response = client.get(APPEAL_URL)
    assert response.status_code == 200
    html = html_of(response)
    assert "Commercial promotions or spam" in html
    assert html.count("<li><strong>") == 8
    assert "within 3 business days" in html  # the profile's appeal_ack_days
    assert "within 10 business days" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_explanation">' in html
    # The honeypot is hidden from people and assistive technology.
    assert 'class="public-form-trap" aria-hidden="true"' in html
    assert 'name="started"' in html
    assert "<script" not in html and "style=" not in html


def test_valid_appeal_is_filed_and_confirmed_with_reference_and_link(
    client, appeal_data, time_machine
):
    # Friday Nov. 20, 2026: 3 business days to acknowledge (city profile).
    time_machine.move_to("2026-11-20 12:00 -06:00")
    appeal_data["started"] = aged_stamp()  # shown a minute ago on that day
    response = client.post(APPEAL_URL, appeal_data)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appeals/filed/{appeal.status_token}/"
    assert appeal.name == "Jordan Public"
    assert appeal.channel == "web"
    page = client.get(response["Location"])
    html = html_of(page)
    assert appeal.reference in html
    assert f"/appeals/status/{appeal.status_token}/" in html
    assert (
        'acknowledges it by <strong><time datetime="2026-11-25">'
        "Wednesday, November 25, 2026</time></strong>"
    ) in html
    assert page["Cache-Control"].startswith("private")
    assert page["Referrer-Policy"] == "no-referrer"
    # The receipt waits in the outbox: its job sends it, not the request.
    assert mail.outbox == []
    outbox.outbox_drain()
    (message,) = mail.outbox
    assert appeal.reference in message.body
    assert appeal.status_token in message.body


def test_invalid_appeal_keeps_everything_typed_and_links_errors(client, appeal_data):
    appeal_data.update(
        email="not-an-email", account="", account_other="", comment_text=""
    )
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 200
    html = html_of(response)
    assert not Appeal.objects.exists()
    assert 'class="error-summary"' in html
    assert 'href="#id_email"' in html
    assert 'href="#id_account_other"' in html
    assert 'href="#id_comment_text"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    # What was typed is still there.
    assert "not-an-email" in html
    assert "My comment was an opinion about city spending" in html
    assert "Jordan Public" in html


def test_field_length_caps_are_enforced(client, appeal_data):
    appeal_data["explanation"] = "x" * 10_001
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 200
    assert "at most 10000 characters" in html_of(response)
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("url", [APPEAL_URL, CHALLENGE_URL])
def test_no_field_marked_optional_is_refused_as_missing(client, city_profile, url):
    """fields marked "(optional)" got errors saying they were
    needed. Sent empty, no field that says "(optional)" has an error."""
    html = html_of(client.post(url, {"started": aged_stamp(), "reply_by": "mail"}))
    fields = re.findall(r'<div class="field[^"]*">.*?</div>', html, re.S)
    assert fields
    for field in fields:
        if "(optional)" in field:
            assert "field-error" not in field, field


def test_fields_needed_instead_of_another_are_not_marked_optional(client, account):
    html = html_of(client.get(APPEAL_URL))
    for label in (
        "If it is not listed, which page or account?",
        "Link to the comment or the post it was under",
        "What did the comment say, as well as you remember?",
        "Email address",
        "Postal address",
    ):
        assert f"{label}</label>" in html, label
        assert f'{label} <span class="optional">(optional)' not in html, label
    assert "Roughly when did you post the comment? " in html


@pytest.mark.parametrize("url", [APPEAL_URL, CHALLENGE_URL])
def test_no_input_cuts_what_is_pasted_into_it(client, account, url):
    """a browser cut text over 10,000 characters at the
    textarea's maxlength without a word; the limit is now said instead."""
    html = html_of(client.get(url))
    assert "maxlength" not in html
    assert "Up to 10,000 characters." in html


def test_text_over_the_limit_is_refused_with_its_length_and_kept(client, appeal_data):
    appeal_data["explanation"] = "x" * (EXPLANATION_MAX + 5)
    html = html_of(client.post(APPEAL_URL, appeal_data))
    assert (
        f"at most {EXPLANATION_MAX} characters (it has {EXPLANATION_MAX + 5})" in html
    )
    assert appeal_data["explanation"] in html
    assert not Appeal.objects.exists()


def test_future_comment_date_is_refused(client, appeal_data):
    appeal_data["comment_posted_on"] = "2099-01-01"
    assert "That date is in the future" in html_of(client.post(APPEAL_URL, appeal_data))


def test_an_account_that_is_no_choice_is_said_once_on_its_field(client, appeal_data):
    appeal_data["account"] = "999999"
    appeal_data["account_other"] = ""
    html = html_of(client.post(APPEAL_URL, appeal_data))
    assert "Select a valid choice" in html
    assert "Choose the account, or tell us which page" not in html
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31"])
def test_a_comment_date_before_2000_is_refused_and_the_rest_kept(
    client, appeal_data, typed
):
    appeal_data["comment_posted_on"] = typed
    html = html_of(client.post(APPEAL_URL, appeal_data))
    assert "Check the date: it is before the year 2000." in html
    assert appeal_data["explanation"] in html
    assert not Appeal.objects.exists()


# --- abuse resistance --------------------------------------------------------------


def test_csrf_is_required(appeal_data):
    client = Client(enforce_csrf_checks=True)
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_rate_limit_refuses_politely_per_client_address(client, appeal_data, settings):
    settings.APPEALS_SUBMIT_RATE = "2/h"
    for _ in range(2):
        assert client.post(APPEAL_URL, appeal_data).status_code == 302
    refused = client.post(APPEAL_URL, appeal_data)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    html = html_of(refused)
    assert "Your appeal has not been sent" in html
    assert "2 appeals or challenges from this connection in the last hour" in html
    assert Appeal.objects.count() == 2
    # Another address is counted on its own.
    other = client.post(APPEAL_URL, appeal_data, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_forms_sent_back_with_errors_never_count_toward_the_limit(
    client, appeal_data, settings
):
    """2 filings and 8 forms with errors locked a resident out
    for an hour (every POST counted)."""
    settings.APPEALS_SUBMIT_RATE = "10/h"
    for _ in range(2):
        assert client.post(APPEAL_URL, appeal_data).status_code == 302
    for _ in range(8):
        response = client.post(APPEAL_URL, {**appeal_data, "explanation": ""})
        assert response.status_code == 200
        assert "There is a problem with what you sent" in html_of(response)
    assert client.post(APPEAL_URL, appeal_data).status_code == 302
    assert Appeal.objects.count() == 3


def test_appeals_and_challenges_share_one_limit(
    client, appeal_data, challenge_data, settings
):
    settings.APPEALS_SUBMIT_RATE = "2/h"
    assert client.post(APPEAL_URL, appeal_data).status_code == 302
    assert client.post(CHALLENGE_URL, challenge_data).status_code == 302
    assert client.post(CHALLENGE_URL, challenge_data).status_code == 429


def test_filings_staff_entered_do_not_count(client, appeal_data, settings, manager):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    services.appeal_submit(
        name="Letter Writer",
        explanation="Entered from a letter.",
        postal_address="1 Elm St",
        reply_by="mail",
        comment_text="What I said.",
        channel="letter",
        by=manager,
    )
    assert client.post(APPEAL_URL, appeal_data).status_code == 302


def test_the_limit_counts_the_window_only(client, appeal_data, settings, time_machine):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    time_machine.move_to("2026-11-20 12:00 -06:00", tick=False)
    appeal_data["started"] = aged_stamp()
    assert client.post(APPEAL_URL, appeal_data).status_code == 302
    time_machine.move_to("2026-11-20 12:59:59 -06:00", tick=False)
    appeal_data["started"] = aged_stamp()
    refused = client.post(APPEAL_URL, appeal_data)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "send it again after <strong>1 p.m.</strong>" in html_of(refused)
    time_machine.move_to("2026-11-20 13:00:01 -06:00", tick=False)
    appeal_data["started"] = aged_stamp()
    assert client.post(APPEAL_URL, appeal_data).status_code == 302


def test_the_limit_page_keeps_the_text_and_names_the_appeals_office(
    client, appeal_data, settings, city_profile
):
    """the 429 page dropped the text and named the wrong office."""
    settings.APPEALS_SUBMIT_RATE = "1/h"
    assert client.post(APPEAL_URL, appeal_data).status_code == 302
    appeal_data["explanation"] = "A second appeal, typed with care: keep it."
    refused = client.post(APPEAL_URL, appeal_data)
    assert refused.status_code == 429
    html = html_of(refused)
    assert "A second appeal, typed with care: keep it." in html
    assert 'value="Jordan Public"' in html
    assert f"send it now to {city_profile.appeal_contact} at" in html
    assert city_profile.appeal_email in html
    assert Appeal.objects.count() == 1


def test_the_limit_page_of_a_challenge_names_the_legality_office(
    client, challenge_data, settings, city_profile
):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    assert client.post(CHALLENGE_URL, challenge_data).status_code == 302
    refused = client.post(CHALLENGE_URL, challenge_data)
    assert refused.status_code == 429
    html = html_of(refused)
    assert "Your challenge has not been sent" in html
    assert challenge_data["basis"] in html
    assert f"send it now to {city_profile.legality_contact} at" in html
    assert city_profile.legality_email in html
    assert f"send it now to {city_profile.appeal_contact}" not in html


def test_the_flood_guard_counts_every_post_and_keeps_the_text(
    client, appeal_data, settings
):
    settings.APPEALS_POST_RATE = "3/h"
    for _ in range(3):
        client.post(APPEAL_URL, {**appeal_data, "explanation": ""})
    refused = client.post(APPEAL_URL, appeal_data)
    assert refused.status_code == 429
    html = html_of(refused)
    assert "many submissions from your connection" in html
    assert appeal_data["explanation"] in html
    assert not Appeal.objects.exists()


def test_honeypot_refuses_with_a_polite_400(client, appeal_data):
    appeal_data["website"] = "http://spam.example"
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 400
    assert "looked automated" in html_of(response)
    assert not Appeal.objects.exists()


def test_too_fast_submission_is_refused(client, appeal_data):
    appeal_data["started"] = aged_stamp(seconds=0.5)
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 400
    assert "faster than a person" in html_of(response)
    assert not Appeal.objects.exists()


def test_too_fast_submission_keeps_what_was_typed(client, appeal_data):
    appeal_data["started"] = aged_stamp(seconds=0.5)
    html = html_of(client.post(APPEAL_URL, appeal_data))
    assert "Your appeal has not been sent" in html
    assert appeal_data["explanation"] in html
    assert 'value="Jordan Public"' in html


@pytest.mark.parametrize(
    ("url", "data"),
    [(APPEAL_URL, "appeal_data"), (CHALLENGE_URL, "challenge_data")],
)
def test_a_form_sent_back_reads_the_city_profile_once(
    client, city_profile, monkeypatch, request, url, data
):
    """The page's deadlines and the office to write to instead (N6, N7) come
    from one reading of the city profile."""
    from appeals.views import public

    reads = []

    def counted():
        reads.append(1)
        return city_profile

    monkeypatch.setattr(public, "city_profile_get", counted)
    sent = request.getfixturevalue(data)
    sent["started"] = aged_stamp(seconds=0.5)
    response = client.post(url, sent)
    assert response.status_code == 400
    assert "faster than a person" in html_of(response)
    assert len(reads) == 1


@pytest.mark.parametrize("url", [APPEAL_URL, CHALLENGE_URL])
def test_an_empty_form_sent_at_once_gets_its_field_errors(client, city_profile, url):
    """ "faster than a person" instead of what is missing."""
    response = client.post(url, {"started": aged_stamp(seconds=0.5)})
    assert response.status_code == 200
    html = html_of(response)
    assert "faster than a person" not in html
    assert "Your name: This field is required." in html
    assert not Appeal.objects.exists() and not LegalityChallenge.objects.exists()


@pytest.mark.parametrize("stamp", ["", "forged"])
def test_a_form_with_errors_and_no_usable_stamp_gets_its_errors_and_a_new_stamp(
    client, appeal_data, stamp
):
    appeal_data.update(started=stamp, explanation="")
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 200
    html = html_of(response)
    # A question leads its error with its own mark, not "?:".
    assert "Why does the comment not fall into any of the categories? This " in html
    new_stamp = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert new_stamp and new_stamp != stamp


def test_a_forged_stamp_on_a_complete_form_keeps_the_text(client, appeal_data):
    appeal_data["started"] = "forged"
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 400
    html = html_of(response)
    assert "could not be checked" in html
    assert appeal_data["explanation"] in html
    assert not Appeal.objects.exists()


def test_just_over_the_minimum_fill_time_is_accepted(client, appeal_data, settings):
    appeal_data["started"] = aged_stamp(seconds=settings.APPEALS_MIN_FILL_SECONDS + 0.5)
    assert client.post(APPEAL_URL, appeal_data).status_code == 302


def test_a_form_sent_the_minimum_fill_time_after_it_was_shown_is_accepted(
    client, appeal_data, settings, time_machine
):
    """The form's signed time is when it was shown, not rounded up into the
    future (which refused a form sent up to a second after the minimum)."""
    time_machine.move_to(datetime(2026, 11, 20, 18, 0, 0, tzinfo=UTC), tick=False)
    html = html_of(client.get(APPEAL_URL))
    appeal_data["started"] = re.search(r'name="started" value="([^"]+)"', html)[1]
    time_machine.shift(settings.APPEALS_MIN_FILL_SECONDS)
    assert client.post(APPEAL_URL, appeal_data).status_code == 302


@pytest.mark.parametrize("stamp", ["", "forged", "tampered"])
def test_missing_or_forged_timestamp_is_refused(client, appeal_data, stamp):
    if stamp == "tampered":
        stamp = aged_stamp()[:-2] + "xx"
    appeal_data["started"] = stamp
    assert client.post(APPEAL_URL, appeal_data).status_code == 400
    assert not Appeal.objects.exists()


def test_a_form_left_open_overnight_is_kept_and_refreshed(client, appeal_data):
    appeal_data["started"] = aged_stamp(seconds=2 * 24 * 3600)
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 200
    html = html_of(response)
    assert "open for more than a day" in html
    assert "My comment was an opinion about city spending" in html
    new_stamp = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert new_stamp != appeal_data["started"]
    assert not Appeal.objects.exists()


def test_every_field_at_its_limit_in_any_script_is_accepted(client, appeal_data):
    # 10,000 characters of Chinese is about 90 KB once the browser encodes it.
    appeal_data["explanation"] = "市" * EXPLANATION_MAX
    appeal_data["comment_text"] = "😀" * COMMENT_TEXT_MAX
    appeal_data["name"] = "\u1200" * NAME_MAX  # Ethiopic
    body = urlencode(appeal_data)
    assert len(body) > 64 * 1024
    response = client.post(
        APPEAL_URL, body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Appeal.objects.get().explanation == "市" * EXPLANATION_MAX


def test_an_oversized_body_is_refused_before_parsing(client, appeal_data):
    appeal_data["comment_text"] = "x" * (APPEAL_FORM.body_max + 1)
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 400
    assert "larger than this form accepts" in html_of(response)
    assert not Appeal.objects.exists()


# --- the challenge form ------------------------------------------------------------


def test_challenge_form_offers_the_live_sections_and_other(client, city_profile):
    html = html_of(client.get(CHALLENGE_URL))
    assert 'value="other"' in html
    assert "Another part, or the policy or notice as a whole" in html
    assert "within 30 business days" in html


def test_challenge_form_uses_the_published_documents_sections(
    client, city_profile, city_admin
):
    from notices.selectors import document_sections
    from tests.notices.factories import publish_both

    publish_both(by=city_admin)
    anchor, _title = document_sections()[0]
    html = html_of(client.get(CHALLENGE_URL))
    assert f'value="{anchor}"' in html
    # The built-in stand-in list is gone.
    assert "Policy: purpose and status of the accounts" not in html


def test_valid_challenge_is_filed(client, challenge_data):
    response = client.post(CHALLENGE_URL, challenge_data)
    challenge = LegalityChallenge.objects.get()
    assert response.status_code == 302
    assert challenge.section_anchor == "other"
    assert challenge.reference.startswith("LC-")


def test_challenge_with_an_unknown_section_is_refused(client, challenge_data):
    challenge_data["section"] = "made-up"
    response = client.post(CHALLENGE_URL, challenge_data)
    assert response.status_code == 200
    assert 'href="#id_section"' in html_of(response)
    assert not LegalityChallenge.objects.exists()


# --- status pages ------------------------------------------------------------------


def test_status_page_shows_state_and_due_date(client, city_profile):
    appeal = AppealFactory(
        received_on=date(2026, 11, 23), ack_due_on=date(2026, 11, 27)
    )
    html = html_of(client.get(appeal.get_status_url()))
    assert appeal.reference in html
    assert "<dt>Received</dt><dd>November 23, 2026</dd>" in html
    # The deadline in words for the resident, in ISO for machines.
    assert (
        'acknowledgment, due by <time datetime="2026-11-27">'
        "Friday, November 27, 2026</time>"
    ) in html


def test_status_page_shows_the_written_answer(client, city_profile):
    appeal = AppealAnsweredFactory(response="We reconsidered: it stays removed.")
    html = html_of(client.get(appeal.get_status_url()))
    assert "written answer</h2>" in html
    assert "We reconsidered: it stays removed." in html
    assert "Removal upheld" in html


def test_status_page_reveals_nothing_of_other_filings(client, city_profile):
    mine = AppealFactory(name="Alice Example")
    theirs = ChallengeFactory(name="Bob Other", basis="Bob's secret basis")
    html = html_of(client.get(mine.get_status_url()))
    assert theirs.reference not in html
    assert "Bob" not in html
    # The status page never shows the resident's own personal data either.
    assert "Alice Example" not in html


def test_a_wrong_or_sequential_token_is_refused(client, city_profile):
    appeal = AppealFactory()
    other = AppealFactory()
    assert client.get(f"/appeals/status/{appeal.pk}/").status_code == 404
    tampered = appeal.status_token[:-1] + (
        "A" if appeal.status_token[-1] != "A" else "B"
    )
    assert client.get(f"/appeals/status/{tampered}/").status_code == 404
    assert client.get(f"/appeals/status/{'x' * 43}/").status_code == 404
    # Another filing's token shows that filing only, never this one.
    html = html_of(client.get(other.get_status_url()))
    assert appeal.reference not in html


def test_status_lookups_are_rate_limited(client, city_profile, settings, time_machine):
    # The clock stands still: the cache's minute cannot turn over mid-test.
    time_machine.move_to("2026-11-20 12:00:30 -06:00", tick=False)
    settings.APPEALS_STATUS_RATE = "3/m"
    for _ in range(3):
        client.get(f"/appeals/status/{'y' * 43}/")
    appeal = AppealFactory()
    refused = client.get(appeal.get_status_url())
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "opened status pages many times" in html_of(refused)
    assert appeal.reference not in html_of(refused)


def test_filings_left_open_show_no_outcome(client, city_profile):
    appeal = AppealFactory(status=Filing.Status.RECEIVED)
    assert "written answer</h2>" not in html_of(client.get(appeal.get_status_url()))
