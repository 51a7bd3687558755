"""A hand-counted year (2025) of removals, appeals, challenges, destruction, holds
and account changes, seen from March 2, 2026. The expected figures are
worked out by hand in ``tests/transparency/test_figures.py``.

The seeded people, handles, emails, addresses and comment text are distinctive so
``test_privacy.py`` can prove none of them is published.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account
from appeals.models import Appeal, Filing, LegalityChallenge
from core.models import Holiday
from moderation.models import RemovalAmendment
from retention.models import DestructionRecord, LegalHold, PurgeRun
from tests.accounts.factories import AccountFactory, CityProfileFactory, UserFactory
from tests.appeals.factories import (
    AppealFactory,
    ChallengeFactory,
    ConsultationFactory,
)
from tests.moderation.factories import RemovalDecisionFactory

S = Filing.Status
TODAY = "2026-03-02 09:00:00-06:00"

# Distinctive personal data that must never be published (test_privacy.py).
SECRETS = {
    "author_name": "Zebulon Quizzleworth",
    "author_handle": "@zebquizz_secret",
    "comment_text": "Purple-elephant-7731 says the mayor smells of cabbage",
    "filer_name": "Philomena Xanthopoulos",
    "filer_email": "philomena.x.7731@residents.example.org",
    "postal_address": "4417 Quillback Lane, Maple Falls, MN 55001",
    "explanation": "Marmalade-ostrich-9921: my comment was an opinion",
    "basis": "Tangerine-walrus-4410: category 7 is vague",
    "remover_first": "Bartholomew",
    "remover_last": "Ozymandias-Remover",
    "reviewer_first": "Cordelia",
    "reviewer_last": "Vanderbilt-Reviewer",
}


def at(day: date | str, hh: int = 10, mm: int = 0) -> datetime:
    """A moment in the city's time zone."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _removal(account: Account, when: datetime, cats: tuple[int, ...], by: Any) -> Any:
    return RemovalDecisionFactory(
        account=account,
        removed_at=when,
        posted_at=when,
        categories=cats,
        removed_by=by,
        author_name=SECRETS["author_name"],
        author_handle=SECRETS["author_handle"],
        comment_text=SECRETS["comment_text"],
    )


def _appeal(received: str, *, factory: Any = AppealFactory, **kw: Any) -> Any:
    return factory(
        received_on=date.fromisoformat(received),
        name=SECRETS["filer_name"],
        email=SECRETS["filer_email"],
        postal_address=SECRETS["postal_address"],
        **kw,
    )


def _answered(
    kw: dict[str, Any], ack: datetime, answered: datetime, outcome: str, reviewer: Any
) -> dict[str, Any]:
    return {
        **kw,
        "status": S.ANSWERED,
        "acknowledged_at": ack,
        "answered_at": answered,
        "outcome": outcome,
        "reviewer": reviewer,
        "response": "Our reasoned answer.",
        "response_delivery": "email",
    }


@pytest.fixture
def year_2025(db, time_machine, city_admin):
    """Seed the year; leave the clock at ``TODAY`` (March 2, 2026)."""
    time_machine.move_to(TODAY, tick=False)
    CityProfileFactory(
        appeal_ack_days=2,
        appeal_answer_days=10,
        challenge_ack_days=3,
        challenge_answer_days=30,
    )
    for day, name in [
        ("2025-07-04", "Independence Day"),
        ("2025-11-27", "Thanksgiving"),
        ("2025-11-28", "Day after Thanksgiving"),
    ]:
        Holiday.objects.create(date=date.fromisoformat(day), name=name)

    remover = UserFactory(
        first_name=SECRETS["remover_first"], last_name=SECRETS["remover_last"]
    )
    reviewer = UserFactory(
        first_name=SECRETS["reviewer_first"], last_name=SECRETS["reviewer_last"]
    )
    parks = AccountFactory(
        display_name="Parks and Recreation", created_at=at("2024-06-01")
    )
    police = AccountFactory(
        display_name="Police Department", created_at=at("2025-02-10")
    )
    library = AccountFactory(display_name="Public Library", created_at=at("2025-04-01"))

    # Removals. Parks: 5 in January (one with categories 7 and 1); Police: 2 in
    # March (category 2); Library: 3 in November and one at 11:30 p.m. on Dec 31
    # (category 4). Outside 2025: Parks at 11:30 p.m. on Dec 31, 2024 (5:30 a.m.
    # UTC on Jan 1, 2025) and on Jan 5, 2026.
    removals = [
        _removal(parks, at(f"2025-01-{d:02d}"), (7,), remover) for d in (6, 7, 8, 9)
    ]
    removals.append(_removal(parks, at("2025-01-20"), (7, 1), remover))
    removals += [
        _removal(police, at(f"2025-03-{d:02d}"), (2,), remover) for d in (3, 4)
    ]
    removals += [
        _removal(library, at(f"2025-11-{d:02d}"), (4,), remover) for d in (3, 4, 5)
    ]
    removals.append(_removal(library, at("2025-12-31", 23, 30), (4,), remover))
    _removal(parks, at("2024-12-31", 23, 30), (7,), remover)
    _removal(parks, at("2026-01-05"), (7,), remover)
    # One comment restored after an appeal, in 2025.
    RemovalAmendment.objects.create(
        decision=removals[0],
        kind=RemovalAmendment.Kind.RESTORATION,
        appeal_id=1,
        appeal_reference="AP-2025-00001",
        reason="Appeal reversed.",
        made_by=reviewer,
        made_at=at("2025-12-19"),
    )

    # Appeals (targets: acknowledge in 2, answer in 10 business days).
    _appeal(
        "2025-07-02",
        **_answered(
            {"ack_due_on": date(2025, 7, 7), "answer_due_on": date(2025, 7, 17)},
            at("2025-07-07"),
            at("2025-07-16"),
            Appeal.Outcome.UPHELD,
            reviewer,
        ),
    )
    _appeal(
        "2025-11-26",
        **_answered(
            {"ack_due_on": date(2025, 12, 2), "answer_due_on": date(2025, 12, 10)},
            # 11:30 p.m. on Dec 1 in Chicago is Dec 2 in UTC: counted as Dec 1.
            at("2025-12-01", 23, 30),
            at("2025-12-19"),
            Appeal.Outcome.REVERSED,
            reviewer,
        ),
    )
    _appeal(
        "2025-03-03",
        explanation=SECRETS["explanation"],
        **_answered(
            {"ack_due_on": date(2025, 3, 5), "answer_due_on": date(2025, 3, 17)},
            at("2025-03-07"),
            at("2025-03-14"),
            Appeal.Outcome.MODIFIED,
            reviewer,
        ),
    )
    _appeal(
        "2025-05-05",
        ack_due_on=date(2025, 5, 7),
        answer_due_on=date(2025, 5, 19),
        status=S.WITHDRAWN,
        withdrawn_at=at("2025-05-06"),
    )
    _appeal(
        "2025-12-29", ack_due_on=date(2025, 12, 31), answer_due_on=date(2026, 1, 12)
    )
    for _ in range(2):
        _appeal(
            "2025-09-01",
            **_answered(
                {"ack_due_on": date(2025, 9, 3), "answer_due_on": date(2025, 9, 15)},
                at("2025-09-02"),
                at("2025-09-05"),
                Appeal.Outcome.UPHELD,
                reviewer,
            ),
        )
    _appeal("2024-12-20", ack_due_on=date(2024, 12, 24), answer_due_on=date(2025, 1, 8))

    # Legality challenges (targets: acknowledge in 3, answer in 30 business days).
    c1 = _appeal(
        "2025-06-02",
        factory=ChallengeFactory,
        basis=SECRETS["basis"],
        **_answered(
            {"ack_due_on": date(2025, 6, 5), "answer_due_on": date(2025, 7, 14)},
            at("2025-06-04"),
            at("2025-07-08"),
            LegalityChallenge.Outcome.STANDS,
            reviewer,
        ),
    )
    ConsultationFactory(challenge=c1, consulted_on=date(2025, 6, 20))
    c2 = _appeal(
        "2025-10-01",
        factory=ChallengeFactory,
        **_answered(
            {"ack_due_on": date(2025, 10, 6), "answer_due_on": date(2025, 11, 12)},
            at("2025-10-08"),
            at("2025-10-31"),
            LegalityChallenge.Outcome.STANDS,
            reviewer,
        ),
    )
    # Consulted only after the answer: not "answered after consultation".
    ConsultationFactory(challenge=c2, consulted_on=date(2025, 11, 3))
    _appeal(
        "2025-12-15",
        factory=ChallengeFactory,
        status=S.ACKNOWLEDGED,
        acknowledged_at=at("2025-12-16"),
        ack_due_on=date(2025, 12, 18),
        answer_due_on=date(2026, 1, 28),
    )

    # Destruction (R4) and legal holds (R3).
    for when, counts in [
        ("2025-04-01", {"messages": 40, "appeals": 2}),
        ("2024-11-01", {"messages": 5}),
    ]:
        run = PurgeRun.objects.create(trigger="schedule", started_at=at(when))
        for series, n in counts.items():
            DestructionRecord.objects.create(
                run=run,
                series=series,
                schedule_item="GS 1",
                rule="read",
                item_count=n,
                ids_sha256="0" * 64,
                recorded_at=at(when),
            )
    for placed, released in [
        ("2025-03-01", None),
        ("2025-02-01", "2025-06-01"),
        ("2026-01-10", None),
    ]:
        LegalHold.objects.create(
            title="Hold",
            reason="Litigation",
            placed_by=city_admin,
            placed_at=at(placed),
            released_at=at(released) if released else None,
            released_by=city_admin if released else None,
            release_reason="Case closed." if released else "",
            sender_handle="@x",
        )

    # Accounts (P4): Police suspended and reactivated, Library shut down, in 2025.
    time_machine.move_to(at("2025-05-01"), tick=False)
    account_services.account_suspend(account=police, by=city_admin, reason="Review")
    account_services.account_reactivate(account=police, by=city_admin, reason="Done")
    time_machine.move_to(at("2025-12-01"), tick=False)
    account_services.account_shut_down(account=library, by=city_admin, reason="Closed")
    time_machine.move_to(TODAY, tick=False)
    return {"parks": parks, "police": police, "library": library, "remover": remover}
