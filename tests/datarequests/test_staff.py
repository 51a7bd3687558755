"""The staff pages of Data Practices requests: entry, search and pick,
the steps, the released package; reminders and the dashboard panel."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from core import clock
from core.models import OutboxMessage
from datarequests import services
from datarequests.models import DataRequest, PickedRecord, ReleasePackage
from retention.models import LegalHold
from tests.datarequests.conftest import SUBJECT

pytestmark = pytest.mark.django_db


def test_a_letter_is_entered_and_shown(login_as, records_officer):
    client = login_as(records_officer)
    response = client.post(
        "/requests/staff/new/",
        {
            "channel": "letter",
            "received_on": clock.today().isoformat(),
            "kind": "data_subject",
            "description": "Everything about me.",
            "name": SUBJECT,
            "postal_address": "12 Elm Street",
        },
        follow=True,
    )
    made = DataRequest.objects.get()
    assert made.channel == "letter" and made.entered_by == records_officer
    html = response.content.decode()
    assert made.reference in html and "Not verified yet" in html


def test_a_future_date_is_refused_beside_its_field(login_as, records_officer):
    client = login_as(records_officer)
    response = client.post(
        "/requests/staff/new/",
        {
            "channel": "email",
            "received_on": (clock.today() + timedelta(days=3)).isoformat(),
            "kind": "public",
            "description": "Public data.",
        },
    )
    assert response.status_code == 200
    assert "The received date is in the future." in response.content.decode()
    assert not DataRequest.objects.exists()


def test_search_pick_verify_release_and_download(world, login_as, records_officer):
    made = services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        name=SUBJECT,
        email="dana@example.net",
        handles="@danaw",
        description="All about me.",
    )
    services.datarequest_start(request=made, by=records_officer)
    client = login_as(records_officer)
    page = client.get(
        "/requests/staff/search/",
        {"request": made.pk, "terms": "Dana Whitfield, danaw"},
    )
    html = page.content.decode()
    assert f'value="removal_decision:{world.removal.pk}"' in html
    assert f'value="message:{world.message.pk}"' in html
    assert f'value="appeal:{world.appeal.pk}"' in html
    client.post(
        f"/requests/staff/{made.pk}/pick/",
        {
            "record": [
                f"removal_decision:{world.removal.pk}",
                f"message:{world.message.pk}",
            ]
        },
    )
    assert PickedRecord.objects.filter(request=made).count() == 2
    assert LegalHold.objects.get(title=f"Data request {made.reference}").is_open
    client.post(
        f"/requests/staff/{made.pk}/step/identity/",
        {"identity-method": "photo_id", "identity-note": ""},
    )
    response = client.post(f"/requests/staff/{made.pk}/step/release/", follow=True)
    assert "Released 2 records" in response.content.decode()
    package = ReleasePackage.objects.get()
    download = client.get(f"/requests/staff/package/{package.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content)
    assert "index.html" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_a_refused_step_is_said_on_the_page(login_as, records_officer):
    made = services.datarequest_submit(kind="public", description="Public data.")
    client = login_as(records_officer)
    response = client.post(f"/requests/staff/{made.pk}/step/release/", follow=True)
    assert response.status_code == 200
    assert "cannot be released" in response.content.decode()
    response = client.post(f"/requests/staff/{made.pk}/step/nonsense/", follow=True)
    assert "There is no such step." in response.content.decode()
    # Only the City Attorney records a consultation (P23): like every step a
    # person's permissions refuse, the forbidden page.
    response = client.post(
        f"/requests/staff/{made.pk}/step/consult/",
        {"consult-notes": "Advice."},
        follow=True,
    )
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert not made.consultations.exists()


def test_overdue_requests_are_emailed_once_a_day_and_shown_on_the_dashboard(
    login_as, records_officer, time_machine
):
    time_machine.move_to("2026-11-02 09:00")
    made = services.datarequest_submit(
        kind="public", description="Public data.", received_on=date(2026, 10, 1)
    )
    assert made.due_on < clock.today()
    first = services.datarequest_reminders_send()
    again = services.datarequest_reminders_send()
    assert first["emails"] == 1 and again["skipped"] == 1
    mail = OutboxMessage.objects.get(topic="datarequests.reminder")
    assert mail.to == records_officer.email
    assert made.reference in mail.body and "OVERDUE" in mail.body
    dashboard = login_as(records_officer).get("/staff/").content.decode()
    panel = dashboard[dashboard.index("Data Practices requests") :]
    panel = panel[: panel.index("</section>")]
    assert "1 open request." in panel
    assert f"{made.reference}</a>:\n<strong>overdue</strong> (was due" in panel


def test_the_daily_job_is_scheduled_and_safe_to_run_twice(settings, records_officer):
    from datarequests.tasks import datarequests_daily_task

    entry = settings.CELERY_BEAT_SCHEDULE["datarequests-daily"]
    assert entry["task"] == datarequests_daily_task.name
    first = datarequests_daily_task.delay().get()
    again = datarequests_daily_task.delay().get()
    assert first["skipped"] == 0 and again["skipped"] == 1
    assert again["holds_released"] == 0


def test_picking_and_releasing_cost_the_same_queries_for_two_records_or_eight(
    login_as, records_officer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.moderation.factories import RemovalDecisionFactory

    client = login_as(records_officer)

    def pick_and_release(count):
        made = services.datarequest_submit(
            kind=DataRequest.Kind.PUBLIC,
            description="Removals.",
            channel="email",
            by=records_officer,
        )
        services.datarequest_start(request=made, by=records_officer)
        # Each on an account of its own: a title reads the account and platform.
        removals = RemovalDecisionFactory.create_batch(count)
        ticked = [f"removal_decision:{r.pk}" for r in removals]
        with CaptureQueriesContext(connection) as picking:
            client.post(f"/requests/staff/{made.pk}/pick/", {"record": ticked})
        assert PickedRecord.objects.filter(request=made).count() == count
        with CaptureQueriesContext(connection) as releasing:
            response = client.post(
                f"/requests/staff/{made.pk}/step/release/", follow=True
            )
        assert f"Released {count} records" in response.content.decode()
        return len(picking), len(releasing)

    pick_and_release(1)  # the first of the day fills Django's caches
    assert pick_and_release(2) == pick_and_release(8)


# --- A refused step keeps what was typed ------------------------------------------
# A step's form that is refused is drawn again, bound: its error beside its field
# and in the one error summary (linked to the field), what was typed kept, status
# 400. Privileged notes (P23) may be pages long; they must never be lost.


def _field_error(html: str, field_id: str, message: str) -> bool:
    """Whether ``message`` is the error drawn beside the field ``field_id``."""
    start = html.find(f'<p class="field-error" id="{field_id}_error">')
    return start != -1 and message in html[start : html.index("</p>", start)]


def _textarea_text(html: str, field_id: str) -> str:
    start = html.index(f'id="{field_id}"')
    start = html.index(">", start) + 1
    return html[start : html.index("</textarea>", start)].strip()


def test_too_long_privileged_notes_are_refused_and_kept(login_as, attorney):
    made = services.datarequest_submit(kind="public", description="Public data.")
    client = login_as(attorney)
    notes = "The exemption under 13.37 applies.\n" * 600  # 21,000 characters
    response = client.post(
        f"/requests/staff/{made.pk}/step/consult/", {"consult-notes": notes}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = "Ensure this value has at most 20000 characters (it has 20999)."
    assert _field_error(html, "id_consult-notes", error)
    assert f'<a href="#id_consult-notes">Privileged notes: {error}</a>' in html
    assert _textarea_text(html, "id_consult-notes") == notes.strip()
    assert not made.consultations.exists()


def test_a_close_note_refused_is_kept_and_its_question_reads_well(
    login_as, records_officer
):
    made = services.datarequest_submit(kind="public", description="Public data.")
    client = login_as(records_officer)
    url = f"/requests/staff/{made.pk}/step/close/"
    note = "Withdrawn by the requester by telephone.\n" * 50  # 2,050 characters
    response = client.post(url, {"close-note": note})
    assert response.status_code == 400
    html = response.content.decode()
    error = "Ensure this value has at most 2000 characters (it has 2049)."
    assert _field_error(html, "id_close-note", error)
    assert f'<a href="#id_close-note">How was it closed? {error}</a>' in html
    assert _textarea_text(html, "id_close-note") == note.strip()
    response = client.post(url, {"close-note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "How was it closed? This field is required." in html
    assert "closed?:" not in html
    made.refresh_from_db()
    assert made.status == DataRequest.Status.RECEIVED


def test_a_refusal_by_the_service_is_shown_on_the_form_with_the_notes_kept(
    login_as, attorney, records_officer
):
    made = services.datarequest_submit(kind="public", description="Public data.")
    client = login_as(attorney)
    page = client.get(f"/requests/staff/{made.pk}/").content.decode()
    assert 'id="id_consult-notes"' in page
    # Closed while the City Attorney was writing (InvalidTransition).
    services.datarequest_close(request=made, note="Withdrawn.", by=records_officer)
    notes = "Advice: withhold the personnel data (13.43)."
    response = client.post(
        f"/requests/staff/{made.pk}/step/consult/", {"consult-notes": notes}
    )
    assert response.status_code == 400
    html = response.content.decode()
    refusal = f"{made.reference} cannot be given a consultation"
    form_errors = html.index('<div class="form-errors">')
    assert refusal in html[form_errors : html.index("</div>", form_errors)]
    assert refusal in html[html.index('class="error-summary"') :]
    assert _textarea_text(html, "id_consult-notes") == notes
    assert not made.consultations.exists()


def test_a_refusal_about_a_field_is_shown_beside_that_field(login_as, records_officer):
    made = services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        name=SUBJECT,
        email="dana@example.net",
        description="About me.",
    )
    client = login_as(records_officer)
    response = client.post(
        f"/requests/staff/{made.pk}/step/identity/",
        {"identity-method": "other", "identity-note": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "id_identity-note", "Say how the identity was verified.")
    assert re.search(r'value="other"[^>]*\bchecked', html)  # the answer kept
    made.refresh_from_db()
    assert not made.identity_verified


def test_a_step_the_person_may_not_take_is_the_403_page(
    login_as, attorney, records_officer
):
    made = services.datarequest_submit(kind="public", description="Public data.")
    response = login_as(records_officer).post(
        f"/requests/staff/{made.pk}/step/consult/", {"consult-notes": "Mine."}
    )
    assert response.status_code == 403
    response = login_as(attorney).post(
        f"/requests/staff/{made.pk}/step/close/", {"close-note": ""}
    )
    assert response.status_code == 403
    assert not made.consultations.exists()
