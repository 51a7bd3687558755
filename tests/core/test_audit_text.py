"""The history reads as sentences about people, not as codes and user names."""

import pytest

from core import audit, audit_text
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_event_reads_as_who_did_what(make_staff):
    dana = make_staff(first_name="Dana", last_name="Reyes", username="dreyes")
    event = audit.record_event(action="appeal.acknowledged", actor=dana)
    assert audit_text.sentence(event) == "Dana Reyes acknowledged the appeal."


def test_every_action_the_product_records_has_plain_words(make_staff):
    # Each app names its actions; one the product records but no app names
    # would show as a code.
    from django.apps import apps

    named = {
        action
        for config in apps.get_app_configs()
        for action in getattr(config, "audit_phrases", {})
    }
    assert {"moderation.removal.logged", "legal_hold.placed", "account.approved"} <= (
        named
    )
    assert audit_text.action_phrase("moderation.removal.logged") == "logged a removal"


def test_an_action_no_app_names_is_words_not_a_code():
    assert audit_text.action_phrase("core.holiday.created") == "core holiday: created"


def test_a_scheduled_job_is_the_system_and_a_person_without_a_name_their_login(
    make_staff,
):
    job = audit.record_event(action="retention.purge_run")
    assert audit_text.sentence(job) == "The system ran the retention purge."
    nameless = make_staff(first_name="", last_name="", username="clerk7")
    event = audit.record_event(action="legal_hold.placed", actor=nameless)
    assert audit_text.sentence(event) == "clerk7 placed a legal hold."


def test_the_admin_lists_events_in_plain_words(login_as, city_admin):
    dana = city_admin
    dana.first_name, dana.last_name = "Dana", "Reyes"
    dana.save()
    audit.record_event(action="moderation.removal.logged", actor=dana)
    page = login_as(dana).get("/admin/core/auditevent/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "logged a removal" in text and "Dana Reyes" in text
    assert AuditEvent.objects.count() >= 1
