"""Manager access: grants, revocations, re-certification, offboarding and the
daily overdue-review report (P3, P10, P11, P17, P18)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from accounts import selectors
from accounts.exceptions import TransitionRefused
from accounts.models import (
    Account,
    CityProfile,
    ManagerAccess,
    Offboarding,
    OffboardingStep,
    User,
)
from accounts.services._base import (
    PERM_GRANT,
    _require,
    _require_reason,
    logger,
)
from core import audit, clock, outbox, roles
from core.models import OutboxMessage


def _review_interval(profile: CityProfile | None) -> timedelta:
    return timedelta(days=profile.access_review_interval_days if profile else 180)


def access_grant_problems(
    *,
    account: Account | None,
    manager: User | None,
    policy_acknowledged_at: datetime | None,
    platform_mfa_confirmed: bool,
) -> dict[str, str]:
    """Return why this grant cannot be made, by field (empty when it can).

    Shared by :func:`access_grant` and the admin's grant form, so both say the same.
    """
    errors: dict[str, str] = {}
    if account is not None and account.status == Account.Status.SHUT_DOWN:
        errors["account"] = (
            f"{account} is shut down (P4): nobody can be given access to it."
        )
    if manager is not None and not (manager.is_active and manager.is_staff):
        errors["manager"] = "Access can only be given to an active staff member."
    if policy_acknowledged_at is None:
        errors["policy_acknowledged_at"] = (
            "Record when the manager acknowledged the social media policy (P17, P18)."
        )
    elif policy_acknowledged_at > clock.now():
        errors["policy_acknowledged_at"] = "This date is in the future."
    if not platform_mfa_confirmed:
        errors["platform_mfa_confirmed"] = (
            "Confirm that the manager signs in to the platform with multi-factor "
            "sign-in: access cannot be given without it."
        )
    if (
        account is not None
        and manager is not None
        and "account" not in errors
        and ManagerAccess.objects.current()
        .filter(account=account, manager=manager)
        .exists()
    ):
        errors["manager"] = "This person already has current access to this account."
    return errors


@transaction.atomic
def access_grant(
    *,
    account: Account,
    manager: User,
    by: User,
    policy_acknowledged_at: datetime | None,
    platform_mfa_confirmed: bool,
) -> ManagerAccess:
    """Give ``manager`` administrator access to ``account`` (P3, P11).

    The manager must have acknowledged the policy (P17, P18) and use multi-factor
    sign-in on the platform. Only the City Administrator grants.
    """
    _require(by, PERM_GRANT, "grant access to accounts")
    account = Account.objects.select_for_update().get(pk=account.pk)
    errors = access_grant_problems(
        account=account,
        manager=manager,
        policy_acknowledged_at=policy_acknowledged_at,
        platform_mfa_confirmed=platform_mfa_confirmed,
    )
    if errors:
        raise ValidationError(errors)
    profile = CityProfile.objects.first()
    grant = ManagerAccess(
        account=account,
        manager=manager,
        granted_by=by,
        granted_at=clock.now(),
        policy_acknowledged_at=cast(datetime, policy_acknowledged_at),
        platform_mfa_confirmed=True,
        last_reviewed_at=clock.now(),
        last_reviewed_by=by,
        review_due_on=clock.today() + _review_interval(profile),
    )
    grant.full_clean()
    grant.save()
    audit.record_event(
        action="manager_access.granted",
        target=grant,
        actor=by,
        data={
            "account": account.pk,
            "manager": manager.pk,
            "policy_acknowledged_at": policy_acknowledged_at,
            "platform_mfa_confirmed": True,
            "review_due_on": grant.review_due_on,
        },
        personal={"manager": manager.get_full_name() or manager.get_username()},
    )
    return grant


def _revoke(*, grant: ManagerAccess, by: User, reason: str) -> ManagerAccess:
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise TransitionRefused(
            f"{grant} was already revoked on "
            f"{clock.moment_text(grant.revoked_at)}: "
            "there is nothing to revoke."
        )
    grant.revoked_at = clock.now()
    grant.revoked_by = by
    grant.revoke_reason = reason
    grant.save()
    audit.record_event(
        action="manager_access.revoked",
        target=grant,
        actor=by,
        data={"account": grant.account_id, "manager": grant.manager_id},
        reason=reason,
    )
    return grant


@transaction.atomic
def access_revoke(*, grant: ManagerAccess, by: User, reason: str) -> ManagerAccess:
    """Withdraw a manager's access (P3), with who, when and why."""
    _require(by, PERM_GRANT, "revoke access to accounts")
    reason = _require_reason(reason, what="the reason access is withdrawn (P3)")
    return _revoke(grant=grant, by=by, reason=reason)


@transaction.atomic
def access_recertify(
    *,
    grant: ManagerAccess,
    by: User,
    platform_mfa_confirmed: bool,
    policy_acknowledged_at: datetime | None = None,
) -> ManagerAccess:
    """Record the periodic review of a current grant (P3): still needed, MFA on."""
    _require(by, PERM_GRANT, "re-certify access")
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise TransitionRefused(f"{grant} was revoked: there is nothing to re-certify.")
    if not platform_mfa_confirmed:
        raise ValidationError(
            {
                "platform_mfa_confirmed": "Confirm multi-factor sign-in is still on, "
                "or revoke the access instead."
            }
        )
    if policy_acknowledged_at is not None and policy_acknowledged_at > clock.now():
        raise ValidationError({"policy_acknowledged_at": "This date is in the future."})
    before = audit.snapshot(grant, ["review_due_on", "policy_acknowledged_at"])
    grant.last_reviewed_at = clock.now()
    grant.last_reviewed_by = by
    grant.review_due_on = clock.today() + _review_interval(CityProfile.objects.first())
    grant.review_overdue_reported_on = None
    if policy_acknowledged_at is not None:
        grant.policy_acknowledged_at = policy_acknowledged_at
    grant.save()
    audit.record_event(
        action="manager_access.recertified",
        target=grant,
        actor=by,
        data={
            "changes": audit.changes(
                before,
                audit.snapshot(grant, ["review_due_on", "policy_acknowledged_at"]),
            ),
            "platform_mfa_confirmed": True,
        },
    )
    return grant


# --- offboarding (P3) ---------------------------------------------------------------


@transaction.atomic
def offboarding_start(
    *, person: User, by: User, reason: str, deactivate_sign_in: bool = True
) -> Offboarding:
    """Revoke every current grant of ``person`` and list the platform steps to do.

    For each account: remove them as administrator on the platform; where the
    managers share one sign-in, rotate it. Credentials themselves are never stored.
    With ``deactivate_sign_in``, completing the offboarding also deactivates their
    sign-in to this system (see :func:`offboarding_step_complete`).
    """
    _require(by, PERM_GRANT, "offboard managers")
    reason = _require_reason(reason, what="the reason (e.g. left the city)")
    grants = list(
        ManagerAccess.objects.current()
        .select_for_update()
        .filter(manager=person)
        .select_related("account")
    )
    if not grants:
        raise TransitionRefused(
            "This person holds no current access to any account: there is nothing "
            "to offboard."
        )
    offboarding = Offboarding.objects.create(
        person=person,
        reason=reason,
        started_by=by,
        started_at=clock.now(),
        deactivate_sign_in=deactivate_sign_in,
    )
    steps = []
    for grant in grants:
        _revoke(grant=grant, by=by, reason=f"Offboarding #{offboarding.pk}: {reason}")
        steps.append(
            OffboardingStep(
                offboarding=offboarding,
                account=grant.account,
                grant=grant,
                kind=OffboardingStep.Kind.REMOVE_ADMIN,
            )
        )
        if grant.account.uses_shared_login:
            steps.append(
                OffboardingStep(
                    offboarding=offboarding,
                    account=grant.account,
                    grant=grant,
                    kind=OffboardingStep.Kind.ROTATE_CREDENTIALS,
                )
            )
    OffboardingStep.objects.bulk_create(steps)
    audit.record_event(
        action="offboarding.started",
        target=offboarding,
        actor=by,
        data={
            "person": person.pk,
            "grants_revoked": [g.pk for g in grants],
            "steps": [[s.account_id, s.kind] for s in steps],
            "deactivate_sign_in": deactivate_sign_in,
        },
        personal={"person": person.get_full_name() or person.get_username()},
        reason=reason,
    )
    return offboarding


@transaction.atomic
def offboarding_step_complete(
    *, step: OffboardingStep, by: User, note: str = ""
) -> OffboardingStep:
    """Record a platform-side step as done; the last one closes the offboarding.

    Closing it deactivates the person's sign-in to this system when that was
    chosen at the start, unless ``selectors.sign_in_kept_because`` gives a reason
    to keep it, in which case the reason is recorded instead.
    """
    _require(by, PERM_GRANT, "record offboarding steps")
    step = OffboardingStep.objects.select_for_update().get(pk=step.pk)
    if step.completed_at is not None:
        raise TransitionRefused(f"'{step}' was already recorded as done.")
    step.completed_at = clock.now()
    step.completed_by = by
    step.note = note.strip()
    step.full_clean()
    step.save()
    audit.record_event(
        action="offboarding.step_completed",
        target=step.offboarding,
        actor=by,
        data={"step": step.pk, "account": step.account_id, "kind": step.kind},
        reason=step.note,
    )
    offboarding = Offboarding.objects.select_for_update().get(pk=step.offboarding_id)
    if not offboarding.steps.filter(completed_at__isnull=True).exists():
        offboarding.status = Offboarding.Status.COMPLETED
        offboarding.completed_at = clock.now()
        offboarding.save()
        audit.record_event(
            action="offboarding.completed",
            target=offboarding,
            actor=by,
            data={"changes": {"status": ["open", "completed"]}},
        )
        if offboarding.deactivate_sign_in:
            _offboarding_end_sign_in(offboarding=offboarding, by=by)
    return step


def _offboarding_end_sign_in(*, offboarding: Offboarding, by: User) -> None:
    """P3: deactivate the offboarded person's sign-in, or record why it stays."""
    person = User.objects.select_for_update().get(pk=offboarding.person_id)
    if not person.is_active:
        return  # already deactivated (by hand or by an earlier offboarding)
    kept = selectors.sign_in_kept_because(person=person)
    if kept:
        audit.record_event(
            action="offboarding.sign_in_kept",
            target=offboarding,
            actor=by,
            data={"person": person.pk, "kept_because": kept},
        )
        return
    person.is_active = False
    person.save(update_fields=["is_active"])
    audit.record_event(
        action="accounts.user.deactivated",
        target=person,
        actor=by,
        data={
            "changes": {"is_active": [True, False]},
            "offboarding": offboarding.pk,
        },
        reason=f"{offboarding} completed",
    )


# --- the daily access review report (P3) --------------------------------------------


def _city_administrator_emails() -> list[str]:
    return sorted(
        User.objects.filter(groups__name=roles.CITY_ADMINISTRATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def access_review_report_overdue(
    *, today: date | None = None, dry_run: bool = False
) -> dict[str, int]:
    """E-mail the City Administrators the access reviews that are overdue (P3),
    through the outbox.

    Marks each reported grant (the dashboard shows the mark). Safe to run twice
    the same day: the rows are locked, and grants already reported today are not
    reported again; with nothing new, no e-mail goes out.
    """
    today = today or clock.today()
    overdue = list(
        ManagerAccess.objects.current()
        .select_for_update()
        .filter(review_due_on__lt=today)
        .select_related("account__platform", "manager")
        .order_by("review_due_on", "pk")
    )
    new = [g for g in overdue if g.review_overdue_reported_on != today]
    result = {"overdue": len(overdue), "newly_reported": len(new), "emails": 0}
    if not new or dry_run:
        return result
    recipients = _city_administrator_emails()
    url = reverse("admin:accounts_manageraccess_changelist")
    lines = [
        f"- {g.account} ({g.account.url}): {g.manager.get_full_name() or g.manager}"
        f", review due {date_format(g.review_due_on)} "
        f"({(today - g.review_due_on).days} days overdue)"
        for g in overdue
    ]
    body = (
        "These managers' access to city social media accounts is past its "
        "periodic review (P3). Re-certify or revoke each one:\n\n"
        + "\n".join(lines)
        + "\n\nIn the administration pages: Accounts > Manager access, "
        f"filter 'Review overdue' ({url}?review=overdue).\n"
    )
    # One email to each City Administrator, through the outbox (sent by its job).
    for recipient in recipients:
        outbox.outbox_enqueue(
            to=recipient,
            subject=f"{len(overdue)} manager access review(s) overdue",
            body=body,
            audience=OutboxMessage.Audience.STAFF,
            topic="accounts.access_review_overdue",
            about=f"Overdue access reviews of {date_format(today)}",
            about_url=f"{url}?review=overdue",
            permission=outbox.STAFF_ADDRESS_PERMISSION,
        )
    result["emails"] = len(recipients)
    if not recipients:
        logger.warning("No active City Administrator has an e-mail address.")
    ManagerAccess.objects.filter(pk__in=[g.pk for g in overdue]).update(
        review_overdue_reported_on=today
    )
    audit.record_event(
        action="manager_access.review_overdue_reported",
        data={
            "grants": [g.pk for g in overdue],
            "recipients": len(recipients),
            "today": today,
        },
    )
    return result
