"""Manager access (P3, P10, P11): grants, revocations, re-certification,
offboarding with its platform-side steps and the handover of open work."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import ManagerAccess, Offboarding, OffboardingStep
from core import clock, roles
from core.audit import events_for
from core.exceptions import InvalidTransition, NotPermitted
from tests.accounts.factories import (
    CompliantAccountFactory,
    ManagerAccessFactory,
    RevokedManagerAccessFactory,
    ShutDownAccountFactory,
    SuspendedAccountFactory,
)

pytestmark = pytest.mark.django_db


def grant_to(account, manager, by, **overrides):
    values = {"platform_mfa_confirmed": True}
    values.update(overrides)
    return services.access_grant(account=account, manager=manager, by=by, **values)


def test_a_grant_records_mfa_and_the_review_date(
    city_admin, manager, account, city_profile, time_machine
):
    time_machine.move_to("2026-03-02 10:00 -06:00", tick=False)
    city_profile.access_review_interval_days = 90
    city_profile.save()
    grant = grant_to(account, manager, city_admin)
    assert grant.granted_by == city_admin
    assert grant.platform_mfa_confirmed
    assert grant.review_due_on == clock.today() + timedelta(days=90)
    assert str(grant) == f"Access #{grant.pk} to {account}"
    assert manager.get_full_name() not in str(grant)
    (event,) = events_for(grant)
    assert event.action == "manager_access.granted"
    assert event.data["manager"] == manager.pk
    assert event.personal == {"manager": manager.get_full_name()}
    assert manager.last_name not in event.target_label


def test_a_suspended_account_may_still_be_given_a_manager(city_admin, manager):
    grant_to(SuspendedAccountFactory(), manager, city_admin)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("shut_down", "account"),
        ("no_mfa", "platform_mfa_confirmed"),
        ("inactive", "manager"),
        ("twice", "manager"),
    ],
)
def test_bad_grants_are_refused_and_nothing_is_saved(
    city_admin, manager, account, case, field
):
    kwargs = {}
    if case == "shut_down":
        account = ShutDownAccountFactory()
    elif case == "no_mfa":
        kwargs["platform_mfa_confirmed"] = False
    elif case == "inactive":
        manager.is_active = False
        manager.save()
    elif case == "twice":
        grant_to(account, manager, city_admin)
    before = ManagerAccess.objects.count()
    with pytest.raises(ValidationError) as exc:
        grant_to(account, manager, city_admin, **kwargs)
    assert field in exc.value.message_dict
    if case == "shut_down":
        assert "shut down (P4)" in exc.value.message_dict["account"][0]
    assert ManagerAccess.objects.count() == before


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
def test_only_the_city_administrator_grants(request, role_fixture, account, make_staff):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(NotPermitted):
        grant_to(account, make_staff(), user)
    assert not ManagerAccess.objects.exists()


def test_revoking_records_who_when_and_why(city_admin, grant):
    services.access_revoke(grant=grant, by=city_admin, reason="Changed duties.")
    grant.refresh_from_db()
    assert not grant.is_current
    assert grant.revoked_by == city_admin
    assert grant.revoke_reason == "Changed duties."
    event = events_for(grant).last()
    assert (event.action, event.reason) == ("manager_access.revoked", "Changed duties.")


def test_revoking_twice_is_refused_and_changes_nothing(city_admin, grant, time_machine):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    services.access_revoke(grant=grant, by=city_admin, reason="Changed duties.")
    grant.refresh_from_db()
    revoked_at = grant.revoked_at
    time_machine.move_to("2026-11-30 09:00 -06:00", tick=False)
    with pytest.raises(
        InvalidTransition,
        match=r"already revoked on Nov\. 27, 2026, 3:05 p\.m\.: there is nothing",
    ):
        services.access_revoke(grant=grant, by=city_admin, reason="Again.")
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoke_reason) == (revoked_at, "Changed duties.")
    assert events_for(grant).filter(action="manager_access.revoked").count() == 1


def test_revoking_needs_a_reason(city_admin, grant):
    with pytest.raises(ValidationError):
        services.access_revoke(grant=grant, by=city_admin, reason="")
    grant.refresh_from_db()
    assert grant.is_current


def test_a_manager_cannot_revoke_their_own_or_others_access(manager, grant):
    with pytest.raises(NotPermitted):
        services.access_revoke(grant=grant, by=manager, reason="Quit.")


def test_after_revocation_access_can_be_granted_again(city_admin, grant):
    services.access_revoke(grant=grant, by=city_admin, reason="Leave.")
    again = grant_to(grant.account, grant.manager, city_admin)
    assert again.pk != grant.pk and again.is_current


def test_recertifying_moves_the_review_date(city_admin, grant, time_machine):
    time_machine.move_to(grant.review_due_on + timedelta(days=3), tick=False)
    grant.review_overdue_reported_on = clock.today()
    grant.save()
    services.access_recertify(grant=grant, by=city_admin, platform_mfa_confirmed=True)
    grant.refresh_from_db()
    assert grant.review_due_on == clock.today() + timedelta(days=180)
    assert grant.last_reviewed_by == city_admin
    assert grant.review_overdue_reported_on is None
    assert events_for(grant).last().action == "manager_access.recertified"


def test_recertifying_needs_mfa_and_a_current_grant(city_admin, grant):
    with pytest.raises(ValidationError):
        services.access_recertify(
            grant=grant, by=city_admin, platform_mfa_confirmed=False
        )
    revoked = RevokedManagerAccessFactory()
    with pytest.raises(InvalidTransition):
        services.access_recertify(
            grant=revoked, by=city_admin, platform_mfa_confirmed=True
        )


# --- offboarding ----------------------------------------------------------------------


def covered_grant(manager, **account_values):
    """``manager``'s grant to an account someone else manages too, so offboarding
    them leaves no account without a manager (no work to hand over)."""
    grant = ManagerAccessFactory(
        manager=manager, account=CompliantAccountFactory(**account_values)
    )
    ManagerAccessFactory(account=grant.account)
    return grant


def test_offboarding_revokes_every_grant_and_lists_platform_steps(
    city_admin, manager, city_profile
):
    shared = CompliantAccountFactory(uses_shared_login=True)
    own = CompliantAccountFactory()
    g1 = ManagerAccessFactory(account=shared, manager=manager)
    g2 = ManagerAccessFactory(account=own, manager=manager)
    old = RevokedManagerAccessFactory(manager=manager)
    someone_else = ManagerAccessFactory(account=own)

    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left the city on 2026-03-31."
    )
    assert offboarding.status == Offboarding.Status.OPEN
    assert str(offboarding) == f"Offboarding #{offboarding.pk}"
    for g in (g1, g2):
        g.refresh_from_db()
        assert g.revoked_by == city_admin
        assert f"Offboarding #{offboarding.pk}" in g.revoke_reason
    someone_else.refresh_from_db()
    assert someone_else.is_current
    old.refresh_from_db()
    assert old.revoke_reason == "Left the city."  # untouched
    steps = {(s.account_id, s.kind) for s in offboarding.steps.all()}
    assert steps == {
        (shared.pk, OffboardingStep.Kind.REMOVE_ADMIN),
        (shared.pk, OffboardingStep.Kind.ROTATE_CREDENTIALS),
        (own.pk, OffboardingStep.Kind.REMOVE_ADMIN),
    }
    event = events_for(offboarding).get()
    assert set(event.data["grants_revoked"]) == {g1.pk, g2.pk}
    assert event.personal == {"person": manager.get_full_name()}


def test_an_overlong_step_note_records_nothing(city_admin, manager, city_profile):
    ManagerAccessFactory(manager=manager)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    (step,) = offboarding.steps.all()
    with pytest.raises(ValidationError) as error:
        services.offboarding_step_complete(step=step, by=city_admin, note="x" * 2001)
    assert "note" in error.value.message_dict
    step.refresh_from_db()
    assert step.completed_at is None
    assert not [
        e for e in events_for(offboarding) if e.action == "offboarding.step_completed"
    ]


def test_offboarding_is_tracked_to_completion(city_admin, manager, city_profile):
    covered_grant(manager, uses_shared_login=True)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    first, second = offboarding.steps.all()
    services.offboarding_step_complete(step=first, by=city_admin, note="Removed.")
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.OPEN
    with pytest.raises(InvalidTransition, match="already recorded"):
        services.offboarding_step_complete(step=first, by=city_admin)
    services.offboarding_step_complete(step=second, by=city_admin)
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED
    assert offboarding.completed_at is not None
    actions = [e.action for e in events_for(offboarding)]
    assert actions == [
        "offboarding.started",
        "offboarding.step_completed",
        "offboarding.step_completed",
        "offboarding.completed",
    ]


def test_offboarding_someone_without_access_is_refused(city_admin, manager):
    with pytest.raises(InvalidTransition, match="no current access"):
        services.offboarding_start(person=manager, by=city_admin, reason="Left.")
    assert not Offboarding.objects.exists()


def test_only_the_city_administrator_offboards(manager, records_officer, grant):
    with pytest.raises(NotPermitted):
        services.offboarding_start(person=manager, by=records_officer, reason="x")
    grant.refresh_from_db()
    assert grant.is_current


def test_only_people_with_current_access_can_be_picked_for_offboarding(
    make_staff, city_profile
):
    from accounts.selectors import staff_with_current_access

    current = ManagerAccessFactory().manager
    revoked_only = RevokedManagerAccessFactory().manager
    never = make_staff()
    people = set(staff_with_current_access())
    assert current in people
    assert revoked_only not in people
    assert never not in people


# --- offboarding ends the sign-in to this system (P3) ---------------------------------


def _offboard_to_completion(person, by, **options):
    offboarding = services.offboarding_start(
        person=person, by=by, reason="Left the city.", **options
    )
    for step in offboarding.steps.all():
        services.offboarding_step_complete(step=step, by=by)
    offboarding.refresh_from_db()
    person.refresh_from_db()
    return offboarding


def test_completing_an_offboarding_deactivates_the_persons_sign_in(
    city_admin, manager, city_profile
):
    covered_grant(manager)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left the city."
    )
    assert offboarding.deactivate_sign_in  # the default
    assert events_for(offboarding).get().data["deactivate_sign_in"] is True
    manager.refresh_from_db()
    assert manager.is_active  # platform steps still to do

    (step,) = offboarding.steps.all()
    services.offboarding_step_complete(step=step, by=city_admin)
    manager.refresh_from_db()
    assert not manager.is_active
    event = events_for(manager).get(action="accounts.user.deactivated")
    assert event.actor == city_admin
    assert event.data == {
        "changes": {"is_active": [True, False]},
        "offboarding": offboarding.pk,
    }
    assert event.reason == f"Offboarding #{offboarding.pk} completed"


def test_the_sign_in_stays_when_deactivating_it_was_not_chosen(
    city_admin, manager, city_profile
):
    covered_grant(manager)
    offboarding = _offboard_to_completion(manager, city_admin, deactivate_sign_in=False)
    assert offboarding.status == Offboarding.Status.COMPLETED
    assert manager.is_active
    assert not events_for(manager).filter(action="accounts.user.deactivated").exists()
    assert "offboarding.sign_in_kept" not in {e.action for e in events_for(offboarding)}


@pytest.mark.parametrize(
    "role", [roles.CITY_ADMINISTRATOR, roles.RECORDS_OFFICER, roles.CITY_ATTORNEY]
)
def test_a_role_that_outlives_the_social_media_duties_keeps_the_sign_in(
    city_admin, make_staff, city_profile, role
):
    person = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    person.groups.add(Group.objects.get(name=role))
    covered_grant(person)
    offboarding = _offboard_to_completion(person, city_admin)
    assert offboarding.status == Offboarding.Status.COMPLETED
    assert person.is_active
    kept = events_for(offboarding).get(action="offboarding.sign_in_kept")
    assert kept.data == {
        "person": person.pk,
        "kept_because": [f"they are also {role}"],
    }


def test_a_superuser_keeps_the_sign_in(city_admin, make_staff, city_profile):
    person = make_staff(roles.SOCIAL_MEDIA_MANAGER, is_superuser=True)
    covered_grant(person)
    _offboard_to_completion(person, city_admin)
    assert person.is_active


def test_access_given_again_before_completion_keeps_the_sign_in(
    city_admin, manager, city_profile
):
    covered_grant(manager)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Moved to another team."
    )
    again = ManagerAccessFactory(manager=manager)
    (step,) = offboarding.steps.all()
    services.offboarding_step_complete(step=step, by=city_admin)
    manager.refresh_from_db()
    assert manager.is_active
    assert again.is_current
    kept = events_for(offboarding).get(action="offboarding.sign_in_kept")
    assert kept.data["kept_because"] == [
        "they have been given access to an account again"
    ]


def test_only_the_last_step_ends_the_sign_in(city_admin, manager, city_profile):
    covered_grant(manager, uses_shared_login=True)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    first, second = offboarding.steps.all()
    services.offboarding_step_complete(step=first, by=city_admin)
    manager.refresh_from_db()
    assert manager.is_active
    services.offboarding_step_complete(step=second, by=city_admin)
    manager.refresh_from_db()
    assert not manager.is_active
