"""The appeals and challenges an offboarded person was to review (P3, P22, P23):
listed on the offboarding page and handed to another reviewer before the
offboarding completes (the ``accounts.handover`` provider, registered in
``AppealsConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format

from accounts import handover
from appeals import selectors, services
from appeals.models import FILING_MODELS
from appeals.services._base import _kind_prefix, _noun
from core.exceptions import MissingRecord


class FilingsToReview:
    key = "appeals"
    title = "Appeals and legality challenges to review"
    to_label = "New reviewer"
    confirm = ""

    def items(self, *, person: Any) -> list[handover.Item]:
        return [
            handover.Item(
                key=f"{_kind_prefix(filing)}-{filing.pk}",
                label=f"{_noun(filing).capitalize()} {filing.reference}",
                url=filing.get_absolute_url(),
                note=(
                    f"{filing.next_step.capitalize()} due "
                    f"{date_format(filing.next_due_on)}"
                    if filing.next_due_on
                    else ""
                ),
            )
            for filing in selectors.filing_list_open_reviewed_by(person=person)
        ]

    def candidates(self, *, person: Any, item: handover.Item) -> QuerySet[Any]:
        return selectors.reviewer_list_for(filing=_filing(item)).exclude(pk=person.pk)

    def hand_over(self, *, person: Any, item: handover.Item, to: Any, by: Any) -> None:
        services.filing_assign_reviewer(filing=_filing(item), reviewer=to, by=by)


def _filing(item: handover.Item) -> Any:
    kind, _, pk = item.key.partition("-")
    model = FILING_MODELS.get(kind)
    found = model.objects.filter(pk=int(pk)).first() if model and pk.isdigit() else None
    if found is None:
        raise MissingRecord(f"{item.label} no longer exists.")
    return found
