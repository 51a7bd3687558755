"""Staff pages: entry from paper, the filing page's steps, privileged notes, panel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appeals.models import Appeal, Filing
from core import clock, roles
from tests.accounts.factories import ManagerAccessFactory
from tests.appeals.factories import (
    AppealAcknowledgedFactory,
    AppealFactory,
    AppealUnderReviewFactory,
    ChallengeAcknowledgedFactory,
    ChallengeFactory,
    ConsultationFactory,
    RemovalFactory,
)

pytestmark = pytest.mark.django_db

S = Filing.Status
NOTES = "Privileged: the category is narrowly drawn; the risk is low."
REASONED = (
    "We looked at the comment again. It criticised a council decision and did "
    "not advertise anything, so it is not spam (category 7)."
)


def html_of(response) -> str:
    return response.content.decode()


def test_staff_list_needs_sign_in_and_a_role(client, login_as, make_staff):
    assert client.get("/appeals/staff/").status_code == 302
    nobody = make_staff()
    assert login_as(nobody).get("/appeals/staff/").status_code == 403


def test_staff_list_shows_open_filings_with_due_dates(
    login_as, records_officer, time_machine
):
    time_machine.move_to("2026-11-27 10:00 -06:00", tick=False)
    appeal = AppealFactory(ack_due_on=clock.today() - timedelta(days=1))
    challenge = ChallengeFactory()
    html = html_of(login_as(records_officer).get("/appeals/staff/"))
    assert appeal.reference in html and challenge.reference in html
    assert '<td data-label="Received">Nov. 27, 2026 (' in html  # received
    assert 'acknowledgment by Nov. 26, 2026 <strong class="overdue">(overdue)' in html
    # A records officer reads but does not enter filings.
    assert "Enter an appeal" not in html


def test_manager_sees_appeals_but_not_challenges(login_as, manager):
    appeal, challenge = AppealFactory(), ChallengeFactory()
    html = html_of(login_as(manager).get("/appeals/staff/"))
    assert appeal.reference in html and challenge.reference not in html
    response = login_as(manager).get(challenge.get_absolute_url())
    assert response.status_code == 403


def test_staff_enter_a_letter_with_its_scan(login_as, manager, city_profile, account):
    client = login_as(manager)
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 letter", "application/pdf")
    response = client.post(
        "/appeals/staff/appeal/new/",
        {
            "channel": "letter",
            "received_on": (clock.today() - timedelta(days=2)).isoformat(),
            "letter": scan,
            "account": account.pk,
            "comment_text": "Remembered text",
            "explanation": "It was not spam.",
            "name": "Pat Letterwriter",
            "postal_address": "12 Oak Ave\nMaple Falls",
            "reply_by": "mail",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == appeal.get_absolute_url()
    assert appeal.channel == "letter" and appeal.entered_by == manager
    download = client.get(f"/appeals/staff/appeal/{appeal.pk}/letter/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="{appeal.reference}-letter.pdf"'
    )
    assert download["Content-Type"] == "application/pdf"


def test_staff_entry_keeps_input_on_error(login_as, manager, city_profile):
    response = login_as(manager).post(
        "/appeals/staff/appeal/new/",
        {
            "channel": "email",
            "received_on": (clock.today() + timedelta(days=5)).isoformat(),
            "explanation": "Kept explanation text",
            "name": "Pat",
            "reply_by": "email",
            "email": "pat@example.net",
        },
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "That date is in the future." in html
    assert "Kept explanation text" in html
    assert not Appeal.objects.exists()


def test_a_letter_that_is_no_pdf_or_image_is_refused_on_its_field(
    login_as, manager, city_profile
):
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00not a pdf", "application/pdf")
    response = login_as(manager).post(
        "/appeals/staff/appeal/new/",
        {
            "channel": "letter",
            "received_on": clock.today().isoformat(),
            "account_other": "The parks page",
            "comment_text": "Fix the swings.",
            "explanation": "Kept explanation text",
            "name": "Pat",
            "reply_by": "email",
            "email": "pat@example.net",
            "letter": exe,
        },
    )
    html = html_of(response)
    assert '<p class="field-error" id="id_letter_error">' in html
    assert '<a href="#id_letter">' in html
    assert "not one of the accepted types" in html
    assert not Appeal.objects.exists()


def test_staff_entry_refuses_a_received_date_before_2000(
    login_as, manager, city_profile
):
    response = login_as(manager).post(
        "/appeals/staff/appeal/new/",
        {
            "channel": "letter",
            "received_on": "0001-01-01",
            "explanation": "Kept explanation text",
            "name": "Pat",
            "reply_by": "email",
            "email": "pat@example.net",
        },
    )
    html = html_of(response)
    assert "Check the date: it is before the year 2000." in html
    assert "Kept explanation text" in html
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("kind", "title"),
    [("appeal", "Enter an appeal"), ("challenge", "Enter a legality challenge")],
)
def test_the_entry_page_names_what_is_entered(login_as, city_admin, kind, title):
    html = html_of(login_as(city_admin).get(f"/appeals/staff/{kind}/new/"))
    assert f"<title>{title}" in html
    assert f"<h1>{title} received by letter, email or in person</h1>" in html


def test_records_officer_cannot_enter_filings(login_as, records_officer):
    response = login_as(records_officer).get("/appeals/staff/appeal/new/")
    assert response.status_code == 403


def test_filing_page_walks_an_appeal_through_to_the_answer(
    login_as, manager, make_staff, city_profile, time_machine
):
    time_machine.move_to("2026-11-20 15:05 -06:00", tick=False)
    remover = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    appeal = AppealFactory()
    # The candidates are the removals the manager may read: their account's.
    ManagerAccessFactory(manager=manager, account=appeal.account)
    client = login_as(manager)
    url = appeal.get_absolute_url()
    page = html_of(client.get(url))
    assert "<dt>Received</dt><dd>November 20, 2026 by" in page
    assert "<dt>Acknowledgment due</dt><dd>Mon, Nov. 23, 2026</dd>" in page
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    removal = RemovalFactory(account=appeal.account, removed_by=remover)
    page = html_of(client.get(url))
    assert f"Link {removal}" in page  # proposed by account and date
    assert (
        client.post(url, {"action": "link-removal", "removal": removal.pk}).status_code
        == 302
    )
    # The remover is not offered as reviewer.
    page = html_of(client.get(url))
    assert (
        f'value="{remover.pk}"'
        not in page.split('name="reviewer"')[1].split("</select>")[0]
    )
    client.post(url, {"action": "assign", "reviewer": manager.pk})
    client.post(url, {"action": "start-review"})
    response = client.post(
        url, {"action": "answer", "outcome": "reversed", "response": REASONED}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == S.ANSWERED and appeal.outcome == "reversed"
    # P22: the managers are asked to restore it; not "restored" until they do.
    assert removal.restoration_tasks.get().status == "open"
    assert not removal.amendments.filter(kind="restoration").exists()
    page = html_of(client.get(url))
    assert REASONED in page
    assert "Correspondence, as sent" in page
    assert f"answered Nov. 20, 2026 by {manager}</dd>" in page
    # The history is sentences about people, not codes and user names.
    who = manager.get_full_name() or manager.get_username()
    assert f"<li>Nov. 20, 2026, 3:05 p.m.: {who} answered the appeal.</li>" in page


def test_assigning_the_remover_is_refused_on_the_page(login_as, manager, city_admin):
    appeal = AppealAcknowledgedFactory(removal=RemovalFactory(removed_by=manager))
    response = login_as(city_admin).post(
        appeal.get_absolute_url(), {"action": "assign", "reviewer": manager.pk}
    )
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.reviewer is None


def test_a_refused_answer_keeps_the_typed_response(login_as, manager):
    appeal = AppealUnderReviewFactory(reviewer=manager, removal=None)
    response = login_as(manager).post(
        appeal.get_absolute_url(),
        {"action": "answer", "outcome": "upheld", "response": REASONED},
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "Link the removal decision before answering." in html
    assert REASONED in html
    appeal.refresh_from_db()
    assert appeal.status == S.UNDER_REVIEW


def test_a_letter_by_mail_is_marked_mailed_from_the_page(login_as, manager):
    appeal = AppealFactory(email="", postal_address="1 Elm St", reply_by="mail")
    client = login_as(manager)
    client.post(appeal.get_absolute_url(), {"action": "acknowledge"})
    letter = appeal.correspondence.get()
    assert "Mark mailed" in html_of(client.get(appeal.get_absolute_url()))
    response = client.post(
        reverse("appeals:letters"),
        {"letter": letter.pk, "next": appeal.get_absolute_url()},
    )
    assert response.url == appeal.get_absolute_url()
    letter.refresh_from_db()
    assert letter.mailed_at is not None
    assert "Acknowledgment by mail: mailed " in html_of(
        client.get(appeal.get_absolute_url())
    )


# --- privileged attorney notes ----------------------------------------------------


@pytest.mark.parametrize("role", [roles.CITY_ATTORNEY, roles.CITY_ADMINISTRATOR])
def test_attorney_and_administrator_read_privileged_notes(login_as, make_staff, role):
    consultation = ConsultationFactory(notes=NOTES)
    user = make_staff(role)
    html = html_of(login_as(user).get(consultation.challenge.get_absolute_url()))
    assert NOTES in html
    admin_page = login_as(user).get(
        f"/admin/appeals/attorneyconsultation/{consultation.pk}/change/"
    )
    assert admin_page.status_code == 200
    assert NOTES in html_of(admin_page)


def test_records_officer_sees_the_challenge_but_never_the_notes(
    login_as, records_officer
):
    consultation = ConsultationFactory(notes=NOTES)
    client = login_as(records_officer)
    html = html_of(client.get(consultation.challenge.get_absolute_url()))
    assert consultation.challenge.reference in html
    assert NOTES not in html
    assert "1 consultation recorded" in html
    assert (
        client.get(
            f"/admin/appeals/attorneyconsultation/{consultation.pk}/change/"
        ).status_code
        == 403
    )
    assert client.get("/admin/appeals/attorneyconsultation/").status_code == 403


def test_attorney_records_a_consultation_from_the_page(login_as, attorney):
    challenge = ChallengeAcknowledgedFactory()
    response = login_as(attorney).post(
        challenge.get_absolute_url(),
        {
            "action": "consult",
            "attorney": attorney.pk,
            "consulted_on": clock.today().isoformat(),
            "notes": NOTES,
        },
    )
    assert response.status_code == 302
    assert challenge.consultations.get().notes == NOTES


def test_records_officer_cannot_record_a_consultation(
    login_as, records_officer, attorney
):
    challenge = ChallengeAcknowledgedFactory()
    response = login_as(records_officer).post(
        challenge.get_absolute_url(),
        {
            "action": "consult",
            "attorney": attorney.pk,
            "consulted_on": clock.today().isoformat(),
            "notes": NOTES,
        },
    )
    assert response.status_code == 403
    assert not challenge.consultations.exists()


# --- dashboard ---------------------------------------------------------------------


def test_a_reviewers_overdue_filing_is_in_assigned_to_me_with_an_alert(
    login_as, manager, time_machine
):
    # "Assigned to me" is the one place a reviewer sees their own filings; the
    # deadlines digest is for whoever oversees filings, which a manager does not.
    time_machine.move_to("2026-11-27 10:00 -06:00", tick=False)
    past = clock.today() - timedelta(days=20)
    overdue = AppealUnderReviewFactory(
        reviewer=manager, received_on=past, answer_due_on=clock.today() - timedelta(2)
    )
    someone_elses = AppealUnderReviewFactory(
        received_on=past, answer_due_on=clock.today() - timedelta(days=2)
    )
    html = html_of(login_as(manager).get("/staff/"))
    assert "Assigned to me (1)" in html
    assert overdue.reference in html
    assert (
        'written answer due Nov. 25, 2026 <strong class="overdue">(overdue)</strong>'
        in html
    )
    assert someone_elses.reference not in html
    assert "Appeals and legality challenges</h2>" not in html
    assert "All open filings" not in html
    assert 'class="panel alert"' in html


def test_dashboard_gives_the_administrator_the_digest(login_as, city_admin):
    unassigned = AppealFactory(ack_due_on=clock.today() - timedelta(days=1))
    challenge = ChallengeFactory(ack_due_on=clock.today())
    far = AppealFactory(
        ack_due_on=clock.today() + timedelta(days=30),
        answer_due_on=clock.today() + timedelta(days=40),
    )
    html = html_of(login_as(city_admin).get("/staff/"))
    assert "Appeals and legality challenges</h2>" in html
    assert unassigned.reference in html and challenge.reference in html
    assert far.reference not in html
    assert "without a reviewer" in html


def test_the_administrators_own_filing_is_in_both_panels(login_as, city_admin):
    # The digest lists every open filing, the administrator's own among them;
    # "Assigned to me" lists it too, and the old "Assigned to you" is gone.
    mine = AppealFactory(reviewer=city_admin, ack_due_on=clock.today())
    html = html_of(login_as(city_admin).get("/staff/"))
    assert "Assigned to me (1)" in html
    assert "All open filings (digest)" in html
    assert html.count(f">{mine.reference}</a>") == 2
    assert "Assigned to you" not in html


@pytest.mark.parametrize("role", ["manager", "records_officer", "attorney"])
def test_the_deadlines_digest_is_not_shown_to_who_oversees_nothing(
    login_as, request, role
):
    AppealFactory(ack_due_on=clock.today() - timedelta(days=1))
    ChallengeFactory(ack_due_on=clock.today())
    user = request.getfixturevalue(role)
    html = html_of(login_as(user).get("/staff/"))
    assert "<h1>Staff dashboard</h1>" in html
    assert "Appeals and legality challenges</h2>" not in html
    assert "Nothing overdue or due soon" not in html


def test_moderation_changelist_filters_by_appeal_and_outcome(login_as, city_admin):
    open_appeal = AppealUnderReviewFactory()
    from tests.appeals.factories import AppealAnsweredFactory

    answered = AppealAnsweredFactory(outcome="upheld")
    never = RemovalFactory()
    client = login_as(city_admin)
    url = "/admin/moderation/removaldecision/"

    def listed(query: str) -> set[int]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return {
            r.pk
            for r in response.context["cl"].result_list
            if r.pk in {open_appeal.removal_id, answered.removal_id, never.pk}
        }

    assert listed("appealed=open") == {open_appeal.removal_id}
    assert listed("appealed=yes") == {open_appeal.removal_id, answered.removal_id}
    assert listed("appealed=no") == {never.pk}
    assert listed("appeal_outcome=upheld") == {answered.removal_id}
    assert listed("appeal_outcome=reversed") == set()


@pytest.mark.parametrize("removal", ["", "abc", "²", str(2**63), "9" * 40])
def test_linking_a_removal_that_is_no_record_id_is_not_found(
    login_as, manager, city_profile, removal
):
    appeal = AppealFactory()
    response = login_as(manager).post(
        appeal.get_absolute_url(), {"action": "link-removal", "removal": removal}
    )
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.removal is None


@pytest.mark.parametrize("posted_on", [date.min, date(1, 1, 7), date.max])
def test_filing_page_opens_for_a_date_at_the_ends_of_the_calendar(
    login_as, manager, city_profile, posted_on
):
    # The public form takes any past date; the removal search around it (a week
    # either side) must not run off the calendar.
    appeal = AppealFactory(comment_posted_on=posted_on)
    client = login_as(manager)
    assert client.get(appeal.get_absolute_url()).status_code == 200
    searched = client.get(appeal.get_absolute_url(), {"r_date": posted_on.isoformat()})
    assert searched.status_code == 200


def test_consultation_date_before_the_challenge_is_refused_on_the_page(
    login_as, attorney
):
    challenge = ChallengeAcknowledgedFactory()
    response = login_as(attorney).post(
        challenge.get_absolute_url(),
        {
            "action": "consult",
            "attorney": attorney.pk,
            "consulted_on": "0001-01-01",
            "notes": NOTES,
        },
    )
    assert response.status_code == 200
    assert "before the challenge was received" in html_of(response)
    assert NOTES in html_of(response)  # what was typed is kept
    assert not challenge.consultations.exists()


@pytest.mark.parametrize("letter", ["", "abc", "²", str(2**63), "9" * 40])
def test_marking_mailed_a_letter_that_is_no_record_id_is_not_found(
    login_as, manager, city_profile, letter
):
    response = login_as(manager).post(reverse("appeals:letters"), {"letter": letter})
    assert response.status_code == 404
