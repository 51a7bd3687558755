"""The year chooser on the public page, and the freeze form on the staff page."""

from __future__ import annotations

from django import forms

from core import clock

EARLIEST_YEAR = 2000
LAST_12_MONTHS = "last-12-months"


def year_choices() -> list[tuple[str, str]]:
    this = clock.today().year
    years = [(str(y), str(y)) for y in range(this, max(EARLIEST_YEAR, this - 10), -1)]
    return [(LAST_12_MONTHS, "The last 12 months"), *years]


class PeriodForm(forms.Form):
    year = forms.ChoiceField(label="Show the figures for")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].choices = year_choices()  # type: ignore[attr-defined]


class FreezeForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].choices = year_choices()[2:]  # type: ignore[attr-defined]
