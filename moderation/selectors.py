"""Read queries about removals used in more than one place (views, admin, panel)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Account
from accounts.selectors import account_list_managed_by
from core import clock
from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
    has_role,
)
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
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


def user_sees_all_removals(user: Any) -> bool:
    """The City Administrator, Records Officer and City Attorney see every removal
    (data requests, appeal advice); managers see their accounts' only."""
    return has_role(user, CITY_ADMINISTRATOR, RECORDS_OFFICER, CITY_ATTORNEY)


def removal_list_visible_to(*, user: Any) -> QuerySet[RemovalDecision]:
    """Return the removals ``user`` may see, with what list pages display."""
    decisions = RemovalDecision.objects.select_related(
        "account__platform", "removed_by"
    )
    if user_sees_all_removals(user):
        return decisions
    if has_role(user, SOCIAL_MEDIA_MANAGER):
        return decisions.filter(
            account__in=Account.objects.filter(
                grants__manager=user, grants__revoked_at__isnull=True
            )
        )
    return decisions.none()


def user_can_view_removal(*, user: Any, decision: RemovalDecision) -> bool:
    if user_sees_all_removals(user):
        return True
    return has_role(user, SOCIAL_MEDIA_MANAGER) and (
        decision.account.grants.filter(manager=user, revoked_at__isnull=True).exists()
    )


def account_list_for_logging(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` may log removals for (P11): those they manage,
    or all for the City Administrator; shut-down accounts last."""
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
    """Return the panel's figures: removals logged in the last 7 days on the
    user's accounts, and those of the last 30 days whose author is not told yet."""
    if has_role(user, CITY_ADMINISTRATOR):
        visible = RemovalDecision.objects.all()
    elif has_role(user, SOCIAL_MEDIA_MANAGER):
        visible = RemovalDecision.objects.filter(
            account__in=Account.objects.filter(
                grants__manager=user, grants__revoked_at__isnull=True
            )
        )
    else:
        return {}
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


def removal_search(
    *,
    terms: list[str],
    date_from: Any = None,
    date_to: Any = None,
    accounts: Any = None,
) -> QuerySet[RemovalDecision]:
    """Return the removal decisions about a person (author's name or handle),
    removed in the date range, on ``accounts`` (None: every account): the Data
    Practices search (issue #19). Redacted decisions hold no one's data."""
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
