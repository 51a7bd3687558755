"""Manager access: grants, revocations, re-certification, offboarding and its
handover of open work, and the daily overdue-review report (P3, P10, P11)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.formats import date_format

from accounts import handover, selectors
from accounts.models import (
    Account,
    CityProfile,
    ManagerAccess,
    Offboarding,
    OffboardingStep,
    User,
)
from accounts.services._base import PERM_GRANT, _require_reason, logger
from core import audit, clock, outbox
from core.exceptions import DomainError, InvalidTransition, ensure_status
from core.models import OutboxMessage
from core.permissions import require


def _review_interval(profile: CityProfile | None) -> timedelta:
    return timedelta(days=profile.access_review_interval_days if profile else 180)


@transaction.atomic
def access_grant(
    *,
    account: Account,
    manager: User,
    by: User,
    platform_mfa_confirmed: bool,
) -> ManagerAccess:
    """Give ``manager`` administrator access to ``account`` (P3, P11).

    The manager must use multi-factor sign-in on the platform; the account must
    not be shut down (``ManagerAccess.clean``). The manager then acknowledges the
    live policy version themselves (P16-P18, asked on their dashboard).
    """
    require(by, PERM_GRANT, doing="grant access to accounts")
    account = Account.objects.select_for_update().get(pk=account.pk)
    grant = ManagerAccess(
        account=account,
        manager=manager,
        granted_by=by,
        granted_at=clock.now(),
        platform_mfa_confirmed=platform_mfa_confirmed,
        last_reviewed_at=clock.now(),
        last_reviewed_by=by,
        review_due_on=clock.today() + _review_interval(CityProfile.objects.first()),
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
            "platform_mfa_confirmed": True,
            "review_due_on": grant.review_due_on,
        },
        personal={"manager": manager.get_full_name() or manager.get_username()},
    )
    return grant


def _revoke(*, grant: ManagerAccess, by: User, reason: str) -> ManagerAccess:
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise InvalidTransition(
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
    require(by, PERM_GRANT, doing="revoke access to accounts")
    reason = _require_reason(reason, what="the reason access is withdrawn (P3)")
    return _revoke(grant=grant, by=by, reason=reason)


@transaction.atomic
def access_recertify(
    *, grant: ManagerAccess, by: User, platform_mfa_confirmed: bool
) -> ManagerAccess:
    """Record the periodic review of a current grant (P3): still needed, MFA on."""
    require(by, PERM_GRANT, doing="re-certify access")
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise InvalidTransition(f"{grant} was revoked: there is nothing to re-certify.")
    if not platform_mfa_confirmed:
        raise DomainError(
            "Confirm multi-factor sign-in is still on, or revoke the access instead.",
            field="platform_mfa_confirmed",
        )
    before = audit.snapshot(grant, ["review_due_on"])
    grant.last_reviewed_at = clock.now()
    grant.last_reviewed_by = by
    grant.review_due_on = clock.today() + _review_interval(CityProfile.objects.first())
    grant.review_overdue_reported_on = None
    grant.full_clean()
    grant.save()
    audit.record_event(
        action="manager_access.recertified",
        target=grant,
        actor=by,
        data={
            "changes": audit.changes(before, audit.snapshot(grant, ["review_due_on"])),
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
    The open work they hold (``accounts.handover``: accounts left with no manager,
    appeals to review...) is listed on the offboarding's page to hand over. With
    ``deactivate_sign_in``, completing the offboarding also deactivates their
    sign-in to this system (see :func:`_offboarding_complete_if_done`).
    """
    require(by, PERM_GRANT, doing="offboard managers")
    offboarding = Offboarding(
        person=person,
        reason=_require_reason(reason, what="the reason (e.g. left the city)"),
        started_by=by,
        started_at=clock.now(),
        deactivate_sign_in=deactivate_sign_in,
    )
    offboarding.full_clean()
    if Offboarding.objects.filter(
        person=person, status=Offboarding.Status.OPEN
    ).exists():
        raise InvalidTransition(
            f"{person} is already being offboarded: finish that offboarding first.",
            field="person",
        )
    grants = list(
        ManagerAccess.objects.current()
        .select_for_update()
        .filter(manager=person)
        .select_related("account")
    )
    if not grants and not handover.open_work(person=person):
        raise InvalidTransition(
            "This person holds no current access to any account and no open work: "
            "there is nothing to offboard.",
            field="person",
        )
    offboarding.save()
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
        reason=offboarding.reason,
    )
    return offboarding


@transaction.atomic
def offboarding_step_complete(
    *, step: OffboardingStep, by: User, note: str = ""
) -> OffboardingStep:
    """Record a platform-side step as done; the offboarding completes once every
    step is done and no open work is left to hand over."""
    require(by, PERM_GRANT, doing="record offboarding steps")
    step = OffboardingStep.objects.select_for_update().get(pk=step.pk)
    if step.completed_at is not None:
        raise InvalidTransition(f"'{step}' was already recorded as done.")
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
    _offboarding_complete_if_done(offboarding=step.offboarding, by=by)
    return step


@transaction.atomic
def offboarding_hand_over(
    *, offboarding: Offboarding, provider: str, item: str, to: User, by: User
) -> Offboarding:
    """Hand one piece of the offboarded person's open work to ``to`` (P3), through
    the service of the app that owns it (``accounts.handover``); the offboarding
    completes once every step is done and nothing is left to hand over."""
    require(by, PERM_GRANT, doing="hand over an offboarded person's work")
    offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
    ensure_status(offboarding, allowed=[Offboarding.Status.OPEN], doing="handed over")
    source = handover.provider(provider)
    person = offboarding.person
    found = next((i for i in source.items(person=person) if i.key == item), None)
    if found is None:
        raise InvalidTransition(
            "That work is no longer theirs to hand over: someone took it over, or "
            "it was closed, meanwhile."
        )
    if not source.candidates(person=person, item=found).filter(pk=to.pk).exists():
        raise DomainError(f"{to} cannot take this over.", field="to")
    source.hand_over(person=person, item=found, to=to, by=by)
    audit.record_event(
        action="offboarding.handed_over",
        target=offboarding,
        actor=by,
        data={"provider": provider, "item": item, "label": found.label, "to": to.pk},
        personal={"to": to.get_full_name() or to.get_username()},
    )
    _offboarding_complete_if_done(offboarding=offboarding, by=by)
    return offboarding


def _offboarding_complete_if_done(*, offboarding: Offboarding, by: User) -> None:
    """Complete ``offboarding`` when every platform step is done and no provider
    lists open work of the person any more (P3); then end their sign-in if that
    was chosen."""
    offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
    if offboarding.status != Offboarding.Status.OPEN:
        return
    if offboarding.steps.filter(completed_at__isnull=True).exists():
        return
    if handover.open_work(person=offboarding.person):
        return
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


class UnmanagedAccounts:
    """The accounts an offboarded person managed that nobody manages now (P11):
    handed over by giving someone access (:func:`access_grant`)."""

    key = "accounts"
    title = "Accounts left with no manager"
    to_label = "New manager"
    confirm = "The new manager signs in to the platform with multi-factor sign-in"

    def items(self, *, person: Any) -> list[handover.Item]:
        accounts = selectors.account_list_unmanaged().filter(
            pk__in=ManagerAccess.objects.filter(manager=person).values("account")
        )
        return [
            handover.Item(
                key=str(account.pk),
                label=f"{account.display_name} ({account})",
                url=account.get_absolute_url(),
                note="Off the public list of official accounts until someone "
                "manages it (P7, P11).",
            )
            for account in accounts
        ]

    def candidates(self, *, person: Any, item: handover.Item) -> QuerySet[User]:
        return (
            User.objects.filter(is_active=True, is_staff=True)
            .exclude(pk=person.pk)
            .order_by("last_name", "first_name", "username")
        )

    def hand_over(self, *, person: Any, item: handover.Item, to: Any, by: Any) -> None:
        access_grant(
            account=Account.objects.get(pk=int(item.key)),
            manager=to,
            by=by,
            # The offboarding page asks for it (``confirm``) before calling this.
            platform_mfa_confirmed=True,
        )


# --- the daily access review report (P3) --------------------------------------------


def _reviewer_emails() -> list[str]:
    """The addresses of whoever re-certifies access (``grant_manageraccess``)."""
    return sorted(
        selectors.user_list_holding(PERM_GRANT, include_superusers=False)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@transaction.atomic
def access_review_report_overdue(
    *, today: date | None = None, dry_run: bool = False
) -> dict[str, int]:
    """E-mail whoever re-certifies access (the City Administrator) the access
    reviews that are overdue (P3), through the outbox.

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
    recipients = _reviewer_emails()
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
            subject=(
                f"{len(overdue)} manager access review{pluralize(len(overdue))} overdue"
            ),
            body=body,
            audience=OutboxMessage.Audience.STAFF,
            topic="accounts.access_review_overdue",
            about=f"Overdue access reviews of {date_format(today)}",
            about_url=f"{url}?review=overdue",
            permission=outbox.STAFF_ADDRESS_PERMISSION,
        )
    result["emails"] = len(recipients)
    if not recipients:
        logger.warning("Nobody who re-certifies access has an e-mail address.")
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
