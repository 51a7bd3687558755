"""Read queries about appeals and legality challenges used in more than one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import CityProfile
from accounts.selectors import city_profile_days, user_list_holding
from appeals.models import (
    FILING_MODELS,
    Appeal,
    Correspondence,
    Filing,
    LegalityChallenge,
)
from core import calendar
from core.audit import events_for
from core.exceptions import MissingRecord
from moderation.selectors import removal_for_review, removal_list_visible_to

#: The deadline settings of the city profile (P22, P23), in business days.
DEADLINE_FIELDS = (
    "appeal_ack_days",
    "appeal_answer_days",
    "challenge_ack_days",
    "challenge_answer_days",
    "due_soon_days",
)


def city_days(name: str) -> int:
    """Return a deadline setting of the city profile (P22, P23)."""
    return deadline_days()[name]


def deadline_days(profile: CityProfile | None = None) -> dict[str, int]:
    """Every deadline setting of the city profile (``profile``, or the current
    one), by name; while the city has not filled it in, the profile fields' own
    defaults (the one place they are written)."""
    return city_profile_days(*DEADLINE_FIELDS, profile=profile)


@dataclass(frozen=True)
class DeadlineItem:
    """An open filing whose next step is overdue or due soon."""

    filing: Filing
    step: str  # "acknowledgment" or "written answer"
    due_on: date
    days_left: int  # business days; negative once overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def kind_label(self) -> str:
        return "Appeal" if isinstance(self.filing, Appeal) else "Legality challenge"


def can_view(user: Any, kind: type[Filing] | Filing) -> bool:
    """Return whether ``user`` may see filings of this kind (an Appeal or a
    LegalityChallenge, the model or one record), with their letters, history
    and correspondence.

    The one rule of the staff pages and the admin: a Social Media Manager sees
    appeals (P22) but not legality challenges (P23), in either place.
    """
    model = kind if isinstance(kind, type) else type(kind)
    return bool(user.has_perm(f"appeals.view_{model._meta.model_name}"))


def correspondence_visible_to(*, user: Any) -> QuerySet[Correspondence]:
    """Return the letters of the filings ``user`` may see (:func:`can_view`)."""
    visible = Q(pk__in=[])
    if can_view(user, Appeal):
        visible |= Q(appeal__isnull=False)
    if can_view(user, LegalityChallenge):
        visible |= Q(challenge__isnull=False)
    return Correspondence.objects.filter(visible)


def _staff_holding(perm: str) -> QuerySet[Any]:
    """Active staff who hold ``perm`` (from a role or given them directly;
    superusers too), by name."""
    return (
        user_list_holding(perm)
        .filter(is_staff=True)
        .order_by("last_name", "first_name", "username")
    )


def reviewer_list_for(*, filing: Filing) -> QuerySet[Any]:
    """The people who may review ``filing``: staff who handle its kind; for an
    appeal, never the person who made the removal (P22)."""
    users = _staff_holding(f"appeals.handle_{filing.kind}")
    if isinstance(filing, Appeal) and filing.removal is not None:
        users = users.exclude(pk=filing.removal.removed_by_id)
    return users


def attorney_list() -> QuerySet[Any]:
    """The people a legality challenge's consultation is recorded with (P23)."""
    return _staff_holding("appeals.advise_on_legalitychallenge")


def overseer_list() -> QuerySet[Any]:
    """The people who oversee every open filing and get the daily digest (the
    City Administrator): ``appeals.oversee_appeal`` or
    ``appeals.oversee_legalitychallenge``."""
    return (
        _staff_holding("appeals.oversee_appeal")
        | _staff_holding("appeals.oversee_legalitychallenge")
    ).distinct()


def oversees(user: Any, filing: Filing) -> bool:
    """``user`` sees every open filing of this kind (the digest)."""
    return bool(user.has_perm(f"appeals.oversee_{filing.kind}"))


#: What the audit action of a filing brought in from the city's earlier records
#: ends with (``appeal.imported``, ``challenge.imported``; the import writes it).
IMPORTED = "imported"


def filing_imported(filing: Filing) -> bool:
    """``filing`` was imported from the city's earlier records (its letters were
    sent before this system, P22, P23)."""
    return (
        events_for(filing)
        .filter(action__in=[f"{kind}.{IMPORTED}" for kind in FILING_MODELS])
        .exists()
    )


def handled_kinds(user: Any) -> list[str]:
    """The filing kinds (``appeal``, ``challenge``: the Correspondence links)
    ``user`` handles."""
    if not (user.is_active and user.is_staff):
        return []
    return [
        kind
        for kind, model in FILING_MODELS.items()
        if user.has_perm(f"appeals.handle_{model._meta.model_name}")
    ]


def letter_list_by_mail(*, user: Any) -> QuerySet[Correspondence]:
    """The letters sent by mail (mailed or not) of the filings ``user`` handles."""
    kinds = handled_kinds(user)
    if not kinds:
        return Correspondence.objects.none()
    scope = Q(pk__in=[])
    for kind in kinds:
        scope |= Q(**{f"{kind}__isnull": False})
    return (
        Correspondence.objects.filter(scope, delivery="mail")
        .select_related("appeal", "challenge", "marked_by")
        .order_by("created_at", "id")
    )


def letter_list_to_mail(*, user: Any) -> QuerySet[Correspondence]:
    """The letters waiting to be printed and mailed (not marked mailed) of the
    filings ``user`` handles, oldest first (P22, P23)."""
    return letter_list_by_mail(user=user).filter(mailed_at__isnull=True)


#: What the staff search of filings matches: the tracking number, and the
#: resident's name and email (the list and the admin alike).
SEARCH_FIELDS = ("reference", "name", "email")


def filing_list_matching(queryset: QuerySet[Any], *, query: str) -> QuerySet[Any]:
    """Narrow ``queryset`` to the filings whose reference, resident's name or
    email contain every word of ``query`` (case-insensitive)."""
    for word in query.split()[:10]:
        match = Q()
        for name in SEARCH_FIELDS:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def appeal_list_open() -> QuerySet[Appeal]:
    return Appeal.objects.filter(status__in=Filing.OPEN_STATUSES).select_related(
        "reviewer", "account__platform"
    )


def challenge_list_open() -> QuerySet[LegalityChallenge]:
    return LegalityChallenge.objects.filter(
        status__in=Filing.OPEN_STATUSES
    ).select_related("reviewer")


def filing_list_open_reviewed_by(*, person: Any) -> list[Filing]:
    """The open appeals and challenges assigned to ``person`` for review, next
    deadline first (the dashboard's "Assigned to me", offboarding's handover)."""
    if not getattr(person, "pk", None):
        return []
    filings: list[Filing] = [
        *appeal_list_open().filter(reviewer=person),
        *challenge_list_open().filter(reviewer=person),
    ]
    return sorted(filings, key=lambda f: (f.next_due_on or date.max, f.reference))


def deadline_items(
    *, today: date, reviewer: Any = None, due_soon_days: int | None = None
) -> list[DeadlineItem]:
    """Return the open filings whose next step is overdue or due within the city's
    due-soon window (business days), most urgent first. Three queries."""
    soon = city_days("due_soon_days") if due_soon_days is None else due_soon_days
    horizon = calendar.add_business_days(today, soon)
    filings: list[Filing] = []
    for queryset in (appeal_list_open(), challenge_list_open()):
        if reviewer is not None:
            queryset = queryset.filter(reviewer=reviewer)
        filings.extend(
            f
            for f in queryset
            if f.next_due_on is not None and f.next_due_on <= horizon
        )
    if not filings:
        return []
    earliest = min(f.next_due_on for f in filings)
    off = calendar.holidays_between(min(earliest, today), horizon + timedelta(days=1))
    items = [
        DeadlineItem(
            filing=f,
            step=f.next_step,
            due_on=f.next_due_on,
            days_left=calendar.business_days_between(
                today, f.next_due_on, holidays=off
            ),
        )
        for f in filings
    ]
    return sorted(items, key=lambda i: (i.due_on, i.filing.reference))


def removals_reviewed_by(user: Any) -> Q | None:
    """The ``moderation.visibility`` rule of appeals (P22): the removals under an
    appeal assigned to ``user`` for review (open or answered, so the reviewer
    can still read what they judged)."""
    if not getattr(user, "pk", None):
        return None
    return Q(appeals__reviewer=user)


@dataclass(frozen=True)
class RemovalUnderAppeal:
    """What the appeal's page shows of its removal (P22): the decision when the
    person may read it (``moderation.selectors.removal_for_review``), and the
    restoration asked for by a reversal, if any."""

    decision: Any
    restoration: Any


def removal_under_appeal(*, appeal: Appeal, user: Any) -> RemovalUnderAppeal | None:
    """The removal ``appeal`` is about as ``user`` may read it, or None when it is
    not linked yet or ``user`` may not read it."""
    if appeal.removal_id is None:
        return None
    try:
        decision = removal_for_review(decision_id=appeal.removal_id, user=user)
    except MissingRecord:
        return None
    restoration = (
        decision.restoration_tasks.filter(appeal_id=appeal.pk)
        .select_related("done_by")
        .first()  # one task per decision at most (its constraint)
    )
    return RemovalUnderAppeal(decision=decision, restoration=restoration)


_QUOTED_NUMBER = re.compile(r"(\d{1,12})")


def removal_quoted(*, appeal: Appeal, user: Any) -> Any:
    """The removal the resident quoted ("Removal #10", or just "10") when it
    exists and ``user`` may read it; else None."""
    found = _QUOTED_NUMBER.search(appeal.removal_reference or "")
    if found is None:
        return None
    try:
        return removal_for_review(decision_id=int(found.group(1)), user=user)
    except MissingRecord:
        return None


def removal_ids_under_open_appeal() -> set[int]:
    """Return the ids of removal decisions with an appeal not yet answered or
    withdrawn: the retention purge must keep them and their evidence (R3, P22)."""
    return set(
        Appeal.objects.filter(
            status__in=Filing.OPEN_STATUSES, removal__isnull=False
        ).values_list("removal_id", flat=True)
    )


#: The audit events of filings residents sent from the public forms (their
#: count is the limit per address, ``core.limits``).
WEB_FILING_ACTIONS = ("appeal.received", "challenge.received")


def filing_by_token(token: str) -> Filing | None:
    """Return the filing whose private status link carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    appeal = Appeal.objects.filter(status_token=token).first()
    if appeal is not None:
        return appeal
    return LegalityChallenge.objects.filter(status_token=token).first()


REMOVAL_SEARCH_DAYS = 7


def removal_candidates(
    *,
    user: Any,
    account: Any = None,
    around: date | None = None,
    author: str = "",
    comment_url: str = "",
    limit: int = 20,
) -> list[Any]:
    """Propose the removal decisions an appeal may be about, among those ``user``
    may read: the same comment URL first, then those matching the account, a
    week either side of the date, and the author's name or handle. Two queries
    at most."""
    base = removal_list_visible_to(user=user).order_by("-removed_at", "-id")
    exact = list(base.filter(comment_url=comment_url)[:limit]) if comment_url else []
    qs = base
    if account is not None:
        qs = qs.filter(account=account)
    if around is not None:
        # A date a week from the ends of the calendar (a resident's "0001-01-01")
        # searches up to the end, not past it (an OverflowError, a 500).
        window = timedelta(days=REMOVAL_SEARCH_DAYS)
        low = around - window if around - date.min > window else date.min
        high = around + window if date.max - around > window else date.max
        qs = qs.filter(
            Q(posted_at__date__gte=low, posted_at__date__lte=high)
            | Q(removed_at__date__gte=low, removed_at__date__lte=high)
        )
    author = (author or "").strip().lstrip("@")
    if author:
        qs = qs.filter(
            Q(author_name__icontains=author) | Q(author_handle__icontains=author)
        )
    if account is None and around is None and not author:
        return exact
    seen = {d.pk for d in exact}
    return exact + [d for d in qs[:limit] if d.pk not in seen]


def filing_search(
    *,
    terms: list[str],
    date_from: date | None = None,
    date_to: date | None = None,
    accounts: Any = None,
) -> tuple[QuerySet[Appeal], QuerySet[LegalityChallenge]]:
    """Return the appeals and the legality challenges filed by a person (name or
    email), received in the date range; appeals on ``accounts`` only when given
    (a challenge is on no account: none then). Their correspondence comes
    prefetched. The Data Practices search."""
    from core.search import search_q

    fields = ("name", "email")
    dates = {"date_field": "received_on", "date_is_day": True}
    q_appeal = search_q(
        fields=fields,
        terms=terms,
        date_from=date_from,
        date_to=date_to,
        account_field="account",
        accounts=accounts,
        **dates,  # type: ignore[arg-type]
    )
    q_challenge = (
        None
        if accounts is not None
        else search_q(
            fields=fields,
            terms=terms,
            date_from=date_from,
            date_to=date_to,
            **dates,  # type: ignore[arg-type]
        )
    )
    appeals = (
        Appeal.objects.filter(q_appeal).prefetch_related("correspondence")
        if q_appeal is not None
        else Appeal.objects.none()
    )
    challenges = (
        LegalityChallenge.objects.filter(q_challenge).prefetch_related("correspondence")
        if q_challenge is not None
        else LegalityChallenge.objects.none()
    )
    return appeals.order_by("received_on", "pk"), challenges.order_by(
        "received_on", "pk"
    )
