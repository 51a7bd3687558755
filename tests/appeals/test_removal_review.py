"""The reviewer reads the removal they judge (P22), and the appeal's
page says whether the comment a reversal restores is back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals import services
from core import roles
from moderation.services import restoration_complete
from tests.appeals.factories import AppealUnderReviewFactory, RemovalFactory

pytestmark = pytest.mark.django_db

REASONED = "The comment discussed a city decision, which no category covers."


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def appeal(city_profile, make_staff):
    """An appeal under review by a manager who manages none of the accounts."""
    reviewer = make_staff(roles.SOCIAL_MEDIA_MANAGER, first_name="Rae")
    removal = RemovalFactory(
        comment_text="The pool should open earlier, the council is wrong.",
        facts="Posted under the pool hours announcement.",
        reasoning="We thought it was off topic for the post.",
    )
    return AppealUnderReviewFactory(reviewer=reviewer, removal=removal)


def test_the_assigned_reviewer_reads_the_removal_on_the_appeal_page(appeal, login_as):
    client = login_as(appeal.reviewer)
    html = html_of(client.get(appeal.get_absolute_url()))
    assert "Posted under the pool hours announcement." in html  # facts
    assert "We thought it was off topic for the post." in html  # reasoning
    assert "The pool should open earlier, the council is wrong." in html
    assert "Evidence" in html
    # "Removal #N" opens, not a 404.
    removal_page = client.get(appeal.removal.get_absolute_url())
    assert removal_page.status_code == 200


def test_a_manager_not_assigned_cannot_read_that_removal(appeal, login_as, make_staff):
    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    client = login_as(other)
    html = html_of(client.get(appeal.get_absolute_url()))
    assert f"Linked to removal #{appeal.removal_id}, which you may not read." in html
    assert "We thought it was off topic for the post." not in html
    assert client.get(appeal.removal.get_absolute_url()).status_code == 404


def test_a_reversal_shows_the_restoration_pending_then_done(
    appeal, login_as, city_admin
):
    services.appeal_answer(
        appeal=appeal, by=appeal.reviewer, outcome="reversed", response=REASONED
    )
    client = login_as(appeal.reviewer)
    html = html_of(client.get(appeal.get_absolute_url()))
    assert "Restoration pending" in html
    assert "Restored on the platform" not in html
    task = appeal.removal.restoration_tasks.get()
    restoration_complete(task=task, by=city_admin, note="Unhidden on Facebook.")
    html = html_of(client.get(appeal.get_absolute_url()))
    assert "Restoration pending" not in html
    assert "Restored on the platform" in html
    assert "Unhidden on Facebook." in html


def test_linking_a_removal_one_may_not_read_is_not_found(
    city_profile, login_as, manager
):
    appeal = AppealUnderReviewFactory(reviewer=manager, removal=None)
    hidden = RemovalFactory()
    response = login_as(manager).post(
        appeal.get_absolute_url(), {"action": "link-removal", "removal": hidden.pk}
    )
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.removal_id is None


def test_the_removal_list_shows_the_reviewer_their_appeals_removal_only(
    appeal, login_as, make_staff
):
    url = reverse("admin:moderation_removaldecision_changelist")
    listed = html_of(login_as(appeal.reviewer).get(url))
    assert f'href="{appeal.removal.get_absolute_url()}"' in listed
    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    listed = html_of(login_as(other).get(url))
    assert f'href="{appeal.removal.get_absolute_url()}"' not in listed
