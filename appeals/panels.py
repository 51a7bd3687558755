"""The staff dashboard panel: overdue and due-soon appeals and challenges."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from appeals import selectors
from core import clock
from core.dashboard import Panel

PANEL_LIMIT = 15


def deadlines_panel(request: HttpRequest) -> Panel | None:
    """Show the user's own overdue and due-soon filings; whoever oversees a kind
    of filing (``appeals.oversee_<kind>``: the City Administrator) also gets the
    digest of every open one."""
    user = request.user
    if not (
        user.has_perm("appeals.view_appeal")
        or user.has_perm("appeals.view_legalitychallenge")
    ):
        return None
    today = clock.today()
    everything = selectors.deadline_items(today=today)
    mine = [i for i in everything if i.filing.reviewer_id == user.pk]
    digest = [i for i in everything if selectors.oversees(user, i.filing)]
    shown = mine + digest
    return Panel(
        title="Appeals and legality challenges",
        template="appeals/panels/deadlines.html",
        context={
            "mine": mine[:PANEL_LIMIT],
            "digest": digest[:PANEL_LIMIT],
            "overdue_count": sum(1 for i in digest if i.overdue),
            "soon_count": sum(1 for i in digest if not i.overdue),
            "unassigned": sum(1 for i in digest if not i.filing.reviewer_id),
        },
        order=20,
        alert=any(i.overdue for i in shown),
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
