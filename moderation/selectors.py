"""Read queries about removals used in more than one place (views, admin, panel)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Account, ManagerAccess
from accounts.permissions import sees_every_account
from accounts.selectors import account_list_managed_by, account_list_visible_to
from core import clock
from core.exceptions import MissingRecord
from moderation import visibility
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RestorationTask,
)

# Fields a correction may change; the text snapshot and the evidence stand as
# captured (evidence can be added, never replaced).
AMENDABLE_FIELDS = (
    "comment_id",
    "comment_url",
    "author_name",
    "author_handle",
    "posted_at",
    "removed_at",
    "categories",
    "link_to_material",
    "facts",
    "reasoning",
    "platform_action",
    "classification",
)


def removal_list_visible_to(*, user: Any) -> QuerySet[RemovalDecision]:
    """Return the removals ``user`` may read, with what list pages display.

    Needs ``moderation.view_removaldecision``; then every removal for a person
    who sees every account (``accounts.view_every_account``: data requests,
    appeal advice, oversight), else the removals of the accounts they act for,
    plus those the rules of ``moderation.visibility`` add (the reviewer of an
    appeal reads the removal under it, P22).
    """
    decisions = RemovalDecision.objects.select_related(
        "account__platform", "removed_by"
    )
    if not user.is_authenticated or not user.has_perm(
        "moderation.view_removaldecision"
    ):
        return decisions.none()
    if sees_every_account(user):
        return decisions
    condition = Q(account__in=account_list_visible_to(user=user).values("pk"))
    extra = visibility.extra_condition(user)
    if extra is not None:
        # Through ids, so a rule that follows a to-many relation adds no duplicates.
        condition |= Q(pk__in=RemovalDecision.objects.filter(extra).values("pk"))
    return decisions.filter(condition)


def removal_for_review(*, decision_id: int, user: Any) -> RemovalDecision:
    """Return one removal with everything its record page shows, when ``user`` may
    read it (:func:`removal_list_visible_to`); else refuse with ``MissingRecord``
    (a page answers 404: whether the removal exists is not told)."""
    visible = removal_list_visible_to(user=user).filter(pk=decision_id)
    decision = removal_get_detail(pk=decision_id) if visible.exists() else None
    if decision is None:
        raise MissingRecord(f"There is no removal #{decision_id} you may read.")
    return decision


def account_list_for_logging(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` may log removals for (P11): those they act
    for, when they hold ``moderation.add_removaldecision``; shut-down accounts
    last."""
    if not user.is_authenticated or not user.has_perm("moderation.add_removaldecision"):
        return Account.objects.none()
    return account_list_managed_by(user=user).order_by(
        "status", "platform__name", "handle"
    )


def removal_get_detail(*, pk: int) -> RemovalDecision | None:
    """Return one decision with everything its record page shows."""
    return (
        RemovalDecision.objects.select_related(
            "account__platform", "removed_by", "notice_version"
        )
        .prefetch_related(
            Prefetch("categories", queryset=RemovalCategory.objects.order_by("number")),
            Prefetch(
                "amendments",
                queryset=RemovalAmendment.objects.select_related(
                    "made_by"
                ).prefetch_related("evidence"),
            ),
            "evidence__added_by",
        )
        .filter(pk=pk)
        .first()
    )


def removal_is_restored(decision: RemovalDecision) -> bool:
    return any(
        a.kind == RemovalAmendment.Kind.RESTORATION for a in decision.amendments.all()
    )


def removal_current(decision: RemovalDecision) -> dict[str, Any]:
    """Return the decision's values as they stand after every correction.

    The decision row keeps what was logged; corrections are overlaid in the order
    they were made. ``categories`` is a list of category numbers. Uses prefetched
    ``amendments`` and ``categories`` when present.
    """
    values: dict[str, Any] = {
        name: getattr(decision, name)
        for name in AMENDABLE_FIELDS
        if name != "categories"
    }
    values["categories"] = sorted(c.number for c in decision.categories.all())
    for amendment in decision.amendments.all():
        if amendment.kind == RemovalAmendment.Kind.CORRECTION:
            values[amendment.field] = correction_value(
                amendment.field, amendment.new_value
            )
    return values


def correction_value(field: str, value: Any) -> Any:
    """Return a correction's stored (JSON) value as the field's Python value."""
    from django.utils.dateparse import parse_datetime

    if field in ("posted_at", "removed_at") and isinstance(value, str):
        return parse_datetime(value)
    return value


def removal_author_told(decision: RemovalDecision) -> tuple[str, Any, str] | None:
    """Return ``(how, when, text)`` of the latest telling of the author, or None."""
    told = [
        (a.notified_via, a.notified_at, a.notification_text)
        for a in decision.amendments.all()
        if a.kind == RemovalAmendment.Kind.AUTHOR_NOTIFIED
    ]
    if told:
        return told[-1]
    if decision.notified_via:
        return (
            decision.notified_via,
            decision.notified_at,
            decision.notification_text,
        )
    return None


# The dashboard looks back this far for authors still to be told: older removals
# are for the list's "author told" filter, and the count stays fast at any size.
NOT_TOLD_WINDOW_DAYS = 30


def removal_dashboard_counts(*, user: Any) -> dict[str, int]:
    """Return the panel's figures for a person who logs removals: those logged in
    the last 7 days on the accounts they act for, and those of the last 30 days
    whose author is not told yet."""
    accounts = account_list_for_logging(user=user)
    visible = RemovalDecision.objects.filter(account__in=accounts.values("pk"))
    now = clock.now()
    return {
        "last_7_days": visible.filter(removed_at__gte=now - timedelta(days=7)).count(),
        "author_not_told": visible.filter(
            removed_at__gte=now - timedelta(days=NOT_TOLD_WINDOW_DAYS)
        )
        .author_not_told()
        .count(),
        "window_days": NOT_TOLD_WINDOW_DAYS,
    }


def restoration_list_open_for(*, user: Any) -> QuerySet[RestorationTask]:
    """Return the comments still to restore (P22) on the accounts ``user`` acts
    for (all, for the City Administrator), oldest first; ``no_manager`` is True
    on a task whose account nobody manages now (P11): the City Administrator
    sees it flagged, since no manager will."""
    if not user.is_authenticated or not user.has_perm(
        "moderation.add_removalamendment"
    ):
        return RestorationTask.objects.none()
    accounts = account_list_managed_by(user=user).values("pk")
    return (
        RestorationTask.objects.filter(
            status=RestorationTask.Status.OPEN, decision__account__in=accounts
        )
        .annotate(
            has_manager=Exists(
                ManagerAccess.objects.current().filter(
                    account=OuterRef("decision__account")
                )
            )
        )
        .select_related("decision__account__platform", "requested_by")
        .order_by("requested_at", "id")
    )


def removal_summary(decision: RemovalDecision) -> dict[str, Any]:
    """Return what a reviewer reads of a removal (P22), as it stands after every
    correction: the account, the comment (text, author, address, times), the
    categories, the facts and reasoning, the evidence and whether the comment
    was restored. The appeal page shows it through
    ``moderation/includes/removal_summary.html``."""
    current = removal_current(decision)
    categories = [
        c
        for c in RemovalCategory.objects.order_by("number")
        if c.number in current["categories"]
    ]
    return {
        "decision": decision,
        "current": current,
        "categories": categories,
        "comment_text": decision.comment_text,
        "evidence": [e for e in decision.evidence.all() if e.file],
        "restored": removal_is_restored(decision),
    }


def removal_search(
    *,
    terms: list[str],
    date_from: Any = None,
    date_to: Any = None,
    accounts: Any = None,
) -> QuerySet[RemovalDecision]:
    """Return the removal decisions about a person (author's name or handle),
    removed in the date range, on ``accounts`` (None: every account): the Data
    Practices search. Redacted decisions hold no one's data."""
    from core.search import search_q

    q = search_q(
        fields=("author_name", "author_handle"),
        terms=terms,
        date_field="removed_at",
        date_from=date_from,
        date_to=date_to,
        account_field="account",
        accounts=accounts,
    )
    if q is None:
        return RemovalDecision.objects.none()
    return (
        RemovalDecision.objects.filter(q, redacted_at__isnull=True)
        .select_related("account__platform")
        .prefetch_related("amendments")
        .order_by("removed_at", "pk")
    )
