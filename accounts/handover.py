"""The open work a person leaves when they are offboarded (P3), from every app.

Offboarding revokes a person's access to the accounts; what else they hold (an
account left with no manager, an appeal they were to review...) must be handed
to someone before the offboarding completes. This app cannot know other apps'
work (they come after it in the dependency order), so each app registers a
*provider* in its ``AppConfig.ready()``::

    from accounts import handover

    class AppealsToReview:
        key = "appeals"
        title = "Appeals and challenges to review"
        to_label = "New reviewer"
        confirm = ""  # nothing to tick; a statement here adds a required box

        def items(self, *, person):
            return [
                handover.Item(key=str(a.pk), label=str(a), url=a.get_absolute_url())
                for a in appeal_list_open_reviewed_by(person=person)
            ]

        def candidates(self, *, person, item):
            return reviewers_for(appeal_id=int(item.key)).exclude(pk=person.pk)

        def hand_over(self, *, person, item, to, by):
            appeal_reassign(appeal=..., reviewer=to, by=by)  # its own service

    handover.register(AppealsToReview())

The offboarding page lists every provider's items, each with a "hand over to"
form; ``accounts.services.offboarding_hand_over`` calls ``hand_over`` in its
transaction (a refusal is a ``core.exceptions.DomainError``, shown on the form),
and the offboarding completes only when no provider has anything left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet

from core.exceptions import MissingRecord


@dataclass(frozen=True)
class Item:
    """One piece of open work: ``key`` is unique within its provider (a primary
    key as text), ``label`` says what it is, ``url`` where staff read it, and
    ``note`` why it matters now (e.g. "answer due Dec. 3")."""

    key: str
    label: str
    url: str = ""
    note: str = ""


class Provider(Protocol):
    key: str  # unique and stable: "accounts", "appeals"
    title: str  # the heading of its list on the offboarding page
    to_label: str  # the label of the person chooser, e.g. "New manager"
    confirm: str  # a statement the person handing over must tick, or ""

    def items(self, *, person: Any) -> list[Item]:
        """Return the open work ``person`` holds, oldest or most urgent first."""
        ...

    def candidates(self, *, person: Any, item: Item) -> QuerySet[Any]:
        """Return the people ``item`` may be handed to (never ``person``)."""
        ...

    def hand_over(self, *, person: Any, item: Item, to: Any, by: Any) -> None:
        """Give ``item`` to ``to`` through the app's own service (``by`` acts)."""
        ...


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Add ``provider`` (idempotent: a provider with the same key is replaced)."""
    _providers[provider.key] = provider
    return provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> list[Provider]:
    return list(_providers.values())


def provider(key: str) -> Provider:
    try:
        return _providers[key]
    except KeyError:
        raise MissingRecord(f"No open work of the kind “{key}” is known.") from None


def open_work(*, person: Any) -> list[tuple[Provider, list[Item]]]:
    """Return each provider with the items ``person`` still holds (only those
    with at least one)."""
    found = [(p, p.items(person=person)) for p in providers()]
    return [(p, items) for p, items in found if items]
