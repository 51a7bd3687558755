"""Forms of the staff pages. They parse input only; the services validate the
removal as a whole and save it (so the rules hold for every caller)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import Account
from core import clock
from core.forms import LocalDateTimeField
from core.ids import parse_id
from moderation.models import RemovalCategory, RemovalDecision, RestorationTask
from moderation.selectors import AMENDABLE_FIELDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label: str, required_message: str, **kwargs: Any) -> Any:
    return LocalDateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        error_messages={
            "required": required_message,
            "invalid": "Enter a date and time, e.g. 2026-03-14 09:30.",
        },
        **kwargs,
    )


class DescribedFormMixin:
    """Point each field at its hint and its errors (aria-describedby), so a screen
    reader announces them with the field (WCAG 2.1 AA, 1.3.1 and 3.3.1)."""

    def _describe(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            bound = self[name]  # type: ignore[index]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_hint")
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._describe()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self._describe()


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: RemovalCategory) -> str:
        return f"{obj.number}. {obj.name}"

    def clean(self, value: Any) -> Any:
        # A number too large for the database is no category: refuse it here, as
        # Django refuses any other unknown id, before it reaches a query.
        for item in value if isinstance(value, list | tuple) else ():
            text = str(item)
            if text.isascii() and text.isdigit() and parse_id(text) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)


class RemovalForm(DescribedFormMixin, forms.Form):
    """Log a removal in under a minute (issue #5): the fields in the order a
    manager has them at hand, the fastest first."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.select_related("platform"),
        empty_label="Choose the account",
        error_messages={"required": "Choose the account the comment was on."},
    )
    comment_url = forms.CharField(
        label="Address (URL) of the comment",
        max_length=1000,
        help_text="Copy the comment's link from the platform (Share or ⋯ > Copy link).",
        error_messages={"required": "Paste the address of the comment."},
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    comment_text = forms.CharField(
        label="Text of the comment, exactly as posted",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Paste the text of the comment as it was posted."},
    )
    author_name = forms.CharField(
        label="Author's display name",
        max_length=200,
        error_messages={
            "required": "Enter the name the author showed on the platform."
        },
    )
    author_handle = forms.CharField(
        label="Author's handle (optional)",
        max_length=200,
        required=False,
        help_text="E.g. @name, when the platform shows one.",
    )
    posted_at = _datetime_field("Posted at", "Enter when the comment was posted.")
    removed_at = _datetime_field("Removed at", "Enter when it was removed.")
    categories = CategoryChoiceField(
        queryset=RemovalCategory.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the service says why (P21), with the other errors
        label="Categories (tick every one that applies)",
    )
    link_to_material = forms.CharField(
        label="For category 8: the address the comment linked to",
        max_length=1000,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    facts = forms.CharField(
        label="Facts relied on",
        help_text="What the comment said or showed that matters here.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the facts relied on."},
    )
    reasoning = forms.CharField(
        label="Reasoning",
        help_text="In a sentence or two: why it falls into the categories ticked.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reasoning."},
    )
    platform_action = forms.ChoiceField(
        label="On the platform the comment was",
        choices=RemovalDecision.PlatformAction.choices,
        initial=RemovalDecision.PlatformAction.HIDDEN,
        widget=forms.RadioSelect,
    )
    notified_via = forms.ChoiceField(
        label="Has the author been told?",
        choices=RemovalDecision.NotifiedVia.choices,
        required=False,
        initial="",
        help_text="If not yet, the next page gives you the text to send.",
    )
    notification_text = forms.CharField(
        label="Text sent to the author (if already told)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(
        label="Screenshot or PDF (optional)",
        required=False,
        help_text="PNG, JPEG, GIF, WebP or PDF, up to 10 MB.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"
            }
        ),
    )
    comment_id = forms.CharField(
        label="Comment id (optional)",
        max_length=200,
        required=False,
        help_text="Read from the address when left empty.",
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe()
        accounts = list(accounts)
        field = cast(forms.ModelChoiceField, self.fields["account"])
        # Offer only the accounts the user manages (P11); an id for another account
        # still parses so that the service can say why it is refused.
        field.choices = [("", field.empty_label)] + [
            (
                a.pk,
                f"{a.handle} ({a.platform.name})"
                + (
                    ""
                    if a.status == Account.Status.ACTIVE
                    else f" ({a.get_status_display()})"
                ),
            )
            for a in accounts
        ]
        if len(accounts) == 1 and not self.is_bound:
            self.initial.setdefault("account", accounts[0].pk)
        if not self.is_bound:
            self.initial.setdefault(
                "removed_at",
                timezone.localtime(clock.now()).replace(second=0, microsecond=0),
            )

    def category_rows(self) -> list[tuple[Any, RemovalCategory]]:
        """Pair each checkbox with its category, for the explanation beside it."""
        categories = {c.pk: c for c in RemovalCategory.objects.all()}
        return [
            (checkbox, categories[int(str(checkbox.data["value"]))])
            for checkbox in self["categories"]
        ]


class NotifyForm(DescribedFormMixin, forms.Form):
    via = forms.ChoiceField(
        label="How was the author told?",
        choices=[
            c
            for c in RemovalDecision.NotifiedVia.choices
            if c[0] != RemovalDecision.NotifiedVia.NOT_YET
        ],
    )
    text = forms.CharField(
        label="Text sent",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    notified_at = _datetime_field("Told at", "Enter when.", required=False)


AMENDABLE_LABELS = {
    "comment_id": "Comment id",
    "comment_url": "Comment address",
    "author_name": "Author's display name",
    "author_handle": "Author's handle",
    "posted_at": "Posted at",
    "removed_at": "Removed at",
    "categories": "Categories",
    "link_to_material": "Link to the offending material (category 8)",
    "facts": "Facts relied on",
    "reasoning": "Reasoning",
    "platform_action": "Hidden or deleted (hidden / deleted)",
    "classification": "Data Practices classification",
}


class AmendForm(DescribedFormMixin, forms.Form):
    field = forms.ChoiceField(
        label="What is wrong",
        choices=[(f, AMENDABLE_LABELS[f]) for f in AMENDABLE_FIELDS],
    )
    value = forms.CharField(
        label="Correct value",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For text, addresses and choices.",
    )
    when = _datetime_field(
        "Correct date and time", "Enter the date and time.", required=False
    )
    categories = CategoryChoiceField(
        queryset=RemovalCategory.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Correct categories",
    )
    reason = forms.CharField(
        label="Why the record is corrected",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the record is being corrected."},
    )

    def new_value(self) -> Any:
        field = self.cleaned_data["field"]
        if field in ("posted_at", "removed_at"):
            return self.cleaned_data.get("when")
        if field == "categories":
            return [c.number for c in self.cleaned_data.get("categories") or []]
        return self.cleaned_data.get("value", "")


class EvidenceForm(DescribedFormMixin, forms.Form):
    evidence = forms.FileField(
        label="Screenshot or PDF",
        error_messages={"required": "Choose a screenshot or PDF."},
    )
    reason = forms.CharField(
        label="What it shows, and why it is added now",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the evidence shows."},
    )


class RestoreForm(DescribedFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why the comment is restored",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the comment is being restored."},
    )


class RestorationDoneForm(forms.ModelForm):
    """A manager confirms the comment is back on the platform (P22)."""

    class Meta:
        model = RestorationTask
        fields = ["done_note"]
        widgets = {"done_note": forms.Textarea(attrs={"rows": 2})}
