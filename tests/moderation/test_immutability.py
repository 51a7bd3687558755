"""A saved decision stands as made (P20 spirit): not through the model, the
queryset, the admin, nor (on PostgreSQL) raw SQL; only the retention purge may
destroy or redact it (R2, R4), through the one escape (core.immutable)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from core.immutable import ImmutableError, retention_purge
from moderation.models import (
    RemovalAmendment,
    RemovalDecision,
    RemovalDecisionCategory,
)
from tests.moderation.factories import RemovalAmendmentFactory, RemovalDecisionFactory

pytestmark = pytest.mark.django_db


def test_model_save_of_a_saved_decision_is_refused():
    decision = RemovalDecisionFactory()
    decision.reasoning = "Rewritten afterwards."
    with pytest.raises(ImmutableError, match="reasoning cannot be changed"):
        decision.save()
    decision.refresh_from_db()
    assert decision.reasoning != "Rewritten afterwards."


def test_model_delete_is_refused():
    decision = RemovalDecisionFactory()
    with pytest.raises(ImmutableError):
        decision.delete()
    assert RemovalDecision.objects.filter(pk=decision.pk).exists()


@pytest.mark.parametrize(
    "model", [RemovalDecision, RemovalDecisionCategory, RemovalAmendment]
)
def test_bulk_update_and_delete_are_refused(model):
    RemovalAmendmentFactory()
    with pytest.raises(ImmutableError):
        model.objects.all().delete()
    with pytest.raises(ImmutableError):
        model.objects.update(id=999)
    assert model.objects.exists()


def test_amendment_cannot_be_edited():
    amendment = RemovalAmendmentFactory()
    amendment.reason = "changed"
    with pytest.raises(ImmutableError):
        amendment.save()


def test_the_purge_context_allows_only_redaction_updates():
    decision = RemovalDecisionFactory()
    with pytest.raises(ImmutableError, match="only the retention purge"):
        RemovalDecision.objects.filter(pk=decision.pk).update(comment_text="")
    with retention_purge():
        RemovalDecision.objects.filter(pk=decision.pk).update(
            comment_text="", redacted_at=decision.removed_at
        )
        with pytest.raises(ImmutableError):
            RemovalDecision.objects.filter(pk=decision.pk).update(reasoning="x")
    decision.refresh_from_db()
    assert decision.comment_text == "" and decision.reasoning != "x"


def test_admin_refuses_change_and_delete(client, city_admin, login_as):
    decision = RemovalDecisionFactory()
    client = login_as(city_admin)
    change = reverse("admin:moderation_removaldecision_change", args=[decision.pk])
    # Opening it shows the printable record instead of a change form.
    response = client.get(change)
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    response = client.post(change, {"reasoning": "Rewritten"})
    decision.refresh_from_db()
    assert decision.reasoning != "Rewritten"
    delete = reverse("admin:moderation_removaldecision_delete", args=[decision.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        client.get(reverse("admin:moderation_removaldecision_add")).status_code == 403
    )
    assert RemovalDecision.objects.filter(pk=decision.pk).exists()


def test_no_role_holds_change_or_delete_permissions():
    from core.roles import role_permissions

    held = set().union(*role_permissions().values())
    for model in ("removaldecision", "removalamendment", "removalevidence"):
        assert f"moderation.change_{model}" not in held
        assert f"moderation.delete_{model}" not in held


# --- PostgreSQL: below the application ---------------------------------------


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE moderation_removaldecision SET reasoning = 'rewritten' WHERE id = %s",
        "UPDATE moderation_removaldecision SET comment_text = 'x' WHERE id = %s",
        "DELETE FROM moderation_removaldecision WHERE id = %s",
        "DELETE FROM moderation_removaldecisioncategory WHERE decision_id = %s",
        "UPDATE moderation_removaldecisioncategory SET category_id = 1"
        " WHERE decision_id = %s",
        "UPDATE moderation_removalamendment SET reason = 'x' WHERE decision_id = %s",
        "DELETE FROM moderation_removalamendment WHERE decision_id = %s",
    ],
)
def test_postgres_trigger_refuses_raw_changes(postgres, sql):
    amendment = RemovalAmendmentFactory()
    with pytest.raises(DatabaseError, match=r"Cannot (update|delete) rows"):
        _raw(sql, [amendment.decision_id])
    decision = RemovalDecision.objects.get(pk=amendment.decision_id)
    assert decision.reasoning != "rewritten"
    assert decision.category_links.exists()


@pytest.mark.django_db(transaction=True)
def test_postgres_trigger_allows_the_retention_purge(postgres):
    amendment = RemovalAmendmentFactory()
    pk = amendment.decision_id
    with retention_purge(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE moderation_removaldecision SET author_name = '', comment_text = '',"
            " redacted_at = now() WHERE id = %s",
            [pk],
        )
        # Even in a purge, the city's record itself cannot be rewritten.
        with (
            pytest.raises(DatabaseError, match="Cannot update rows"),
            transaction.atomic(),
        ):
            cursor.execute(
                "UPDATE moderation_removaldecision SET reasoning = 'x' WHERE id = %s",
                [pk],
            )
        cursor.execute(
            "DELETE FROM moderation_removalamendment WHERE decision_id = %s", [pk]
        )
        cursor.execute(
            "DELETE FROM moderation_removaldecisioncategory WHERE decision_id = %s",
            [pk],
        )
        cursor.execute("DELETE FROM moderation_removaldecision WHERE id = %s", [pk])
    assert not RemovalDecision.objects.filter(pk=pk).exists()
    # The escape ended with its block: immutability is back.
    other = RemovalDecisionFactory()
    with pytest.raises(DatabaseError, match="Cannot delete rows"):
        _raw("DELETE FROM moderation_removaldecision WHERE id = %s", [other.pk])
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(
            "UPDATE moderation_removaldecision SET comment_text = '' WHERE id = %s",
            [other.pk],
        )


@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_a_decision_without_category_at_commit(postgres):
    with pytest.raises(IntegrityError, match="has no category"):
        RemovalDecisionFactory(categories=[])  # committed on its own
    assert not RemovalDecision.objects.exists()
    RemovalDecisionFactory(categories=[2])
    assert RemovalDecision.objects.count() == 1


def test_no_page_edits_a_saved_decision(client, login_as, city_admin):
    """The staff pages offer no edit: the record page only reads, and the form
    only creates (a second submission of the same comment is refused)."""
    decision = RemovalDecisionFactory()
    client = login_as(city_admin)
    response = client.post(decision.get_absolute_url(), {"reasoning": "Rewritten"})
    assert response.status_code == 405
    decision.refresh_from_db()
    assert decision.reasoning != "Rewritten"
