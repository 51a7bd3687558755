import pytest
from django.core.management import call_command

from appeals.models import Appeal, Filing, LegalityChallenge

pytestmark = pytest.mark.django_db


def test_seed_demo_has_every_state_and_runs_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", stdout=None)
        counts = (Appeal.objects.count(), LegalityChallenge.objects.count())
        call_command("seed_demo", stdout=None)
    assert (Appeal.objects.count(), LegalityChallenge.objects.count()) == counts
    for model in (Appeal, LegalityChallenge):
        states = set(model.objects.values_list("status", flat=True))
        assert states == set(Filing.Status.values), model
    outcomes = set(Appeal.objects.values_list("outcome", flat=True))
    assert {"upheld", "modified", "reversed"} <= outcomes
    assert set(LegalityChallenge.objects.values_list("outcome", flat=True)) >= {
        "stands"
    }
    # Appeals are linked to the moderation demo's removals.
    assert Appeal.objects.filter(removal__isnull=False).count() >= 5
    reversed_appeal = Appeal.objects.get(
        outcome="reversed", email="quinn.demo@example.net"
    )
    # P22: the reversal asked the managers to restore the comment.
    assert reversed_appeal.removal.restoration_tasks.filter(
        appeal_id=reversed_appeal.pk
    ).exists()
