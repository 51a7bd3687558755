"""The staff dashboard panels of appeals and legality challenges: the overseer's
digest, the reviewer's own filings, the letters to mail."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from appeals import selectors
from core import clock
from core.dashboard import Panel

PANEL_LIMIT = 15


def deadlines_panel(request: HttpRequest) -> Panel | None:
    """The overseer's digest: every open filing of the kinds the user oversees
    (``appeals.oversee_<kind>``: the City Administrator) that is overdue or due
    soon; none for someone who oversees nothing. A reviewer's own filings are in
    :func:`assigned_panel`."""
    user = request.user
    if not (
        user.has_perm("appeals.oversee_appeal")
        or user.has_perm("appeals.oversee_legalitychallenge")
    ):
        return None
    today = clock.today()
    digest = [
        i
        for i in selectors.deadline_items(today=today)
        if selectors.oversees(user, i.filing)
    ]
    return Panel(
        title="Appeals and legality challenges",
        template="appeals/panels/deadlines.html",
        context={
            "digest": digest[:PANEL_LIMIT],
            "overdue_count": sum(1 for i in digest if i.overdue),
            "soon_count": sum(1 for i in digest if not i.overdue),
            "unassigned": sum(1 for i in digest if not i.filing.reviewer_id),
        },
        order=20,
        alert=any(i.overdue for i in digest),
    )


def letters_panel(request: HttpRequest) -> Panel | None:
    """ "Letters to mail (N)": the letters to residents waiting to be printed and
    mailed by the staff who handle them (P22, P23); none, no panel."""
    waiting = selectors.letter_list_to_mail(user=request.user)
    letters = list(waiting[:PANEL_LIMIT])
    if not letters:
        return None
    count = len(letters) if len(letters) < PANEL_LIMIT else waiting.count()
    return Panel(
        title=f"Letters to mail ({count})",
        template="appeals/panels/letters.html",
        context={"letters": letters, "count": count},
        order=21,
        # A letter written before today is late for the post.
        alert=any(
            timezone.localdate(letter.created_at) < clock.today() for letter in letters
        ),
    )


def assigned_panel(request: HttpRequest) -> Panel | None:
    """ "Assigned to me": every open appeal and challenge the user reviews, next
    deadline first (P22, P23); none, no panel."""
    mine = selectors.filing_list_open_reviewed_by(person=request.user)
    if not mine:
        return None
    today = clock.today()
    return Panel(
        title=f"Assigned to me ({len(mine)})",
        template="appeals/panels/assigned.html",
        context={
            "filings": mine[:PANEL_LIMIT],
            "more": len(mine) > PANEL_LIMIT,
            "today": today,
        },
        order=19,
        alert=any(f.next_due_on and f.next_due_on < today for f in mine),
    )
