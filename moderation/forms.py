"""Forms of the staff pages, drawn by the one renderer (``core.forms``): labels,
"(optional)", hints, errors and ARIA come from ``templates/forms/``. They parse
input only; the services validate the removal as a whole (``full_clean()`` and
the rules across fields) and save it, so the rules hold for every caller."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import Account
from core import clock
from core.forms import LocalDateTimeField, LocalDateTimeInput
from core.ids import parse_id
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RestorationTask,
)
from moderation.selectors import AMENDABLE_FIELDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


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


# What a manager fills in to log a typical removal, on one phone screen (P20,
# P21): the rest has a sensible default and waits under "More details".
REMOVAL_QUICK_FIELDS = (
    "account",
    "comment_url",
    "comment_text",
    "author_name",
    "posted_at",
    "categories",
    "link_to_material",
    "reasoning",
)
REMOVAL_MORE_FIELDS = (
    "facts",
    "removed_at",
    "platform_action",
    "author_handle",
    "evidence",
    "notified_via",
    "notification_text",
    "comment_id",
)


class RemovalForm(forms.ModelForm):
    """Log a removal in under a minute on a phone (P20, P21): the account chosen
    when the manager manages one, "removed at" now, hidden on the platform, the
    author not told yet (the next page gives the text to send), facts and a
    screenshot optional. See docs/guide-manager.md for the counts."""

    # Needed with another answer, or said by the service: not "(optional)".
    conditional = ("categories", "link_to_material", "notification_text")

    comment_url = forms.CharField(
        label="Address (URL) of the comment",
        max_length=1000,
        help_text="On the platform: Share or ⋯ > Copy link.",
        error_messages={"required": "Paste the address of the comment."},
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    link_to_material = forms.CharField(
        label="For category 8: the address the comment linked to",
        max_length=1000,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    posted_at = _datetime_field(
        "Posted at", "Enter when the comment was posted (the platform shows it)."
    )
    removed_at = _datetime_field(
        "Removed at", "Enter when it was removed.", help_text="Now, unless you say."
    )
    evidence = forms.FileField(
        label="Screenshot or PDF",
        required=False,
        help_text="PNG, JPEG, GIF, WebP or PDF, up to 10 MB.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"
            }
        ),
    )

    class Meta:
        model = RemovalDecision
        # In the page's order, so that the error summary lists them so.
        fields = [*REMOVAL_QUICK_FIELDS, *REMOVAL_MORE_FIELDS]
        labels = {
            "comment_text": "Text of the comment, exactly as posted",
            "author_name": "Author's name as shown",
            "categories": "Why it was removed (tick every category that applies)",
            "reasoning": "Why it falls into the categories ticked",
            "facts": "Anything else relied on",
            "platform_action": "On the platform the comment was",
            "author_handle": "Author's handle",
            "notified_via": "Has the author been told?",
            "notification_text": "Text sent to the author (if already told)",
            "comment_id": "Comment id",
        }
        help_texts = {
            "comment_text": "Copy it from the platform and paste it here.",
            "reasoning": "A sentence or two, e.g. “It advertises a shop: a "
            "commercial promotion.”",
            "facts": "What the comment showed that the text does not (a picture, "
            "a link's content).",
            "author_handle": "E.g. @name, when the platform shows one.",
            "notified_via": "If not yet, the next page gives you the text to send.",
            "comment_id": "Read from the address when left empty.",
        }
        error_messages = {
            "account": {"required": "Choose the account the comment was on."},
            "comment_text": {
                "required": "Paste the text of the comment as it was posted."
            },
            "author_name": {
                "required": "Enter the name the author showed on the platform."
            },
            "reasoning": {"required": "Say why it falls into the categories ticked."},
        }
        widgets = {
            "comment_text": forms.Textarea(attrs={"rows": 4}),
            "reasoning": forms.Textarea(attrs={"rows": 3}),
            "facts": forms.Textarea(attrs={"rows": 2}),
            "notification_text": forms.Textarea(attrs={"rows": 3}),
            "platform_action": forms.RadioSelect,
            "categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = list(accounts)
        self.fields["categories"] = CategoryChoiceField(
            queryset=RemovalCategory.objects.order_by("number"),
            widget=forms.CheckboxSelectMultiple,
            required=False,  # the service says why (P21), with the other errors
            label=self.fields["categories"].label,
        )
        for name in ("comment_id", "author_handle", "facts", "notification_text"):
            self.fields[name].required = False
        self.fields["notified_via"].required = False
        field = cast(forms.ModelChoiceField, self.fields["account"])
        # Offer only the accounts the user manages (P11); an id for another account
        # still parses so that the service can say why it is refused.
        field.queryset = Account.objects.select_related("platform")
        field.empty_label = "Choose the account"
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
        # A manager of one account logs for it without choosing it.
        self.only_account = accounts[0] if len(accounts) == 1 else None
        if self.only_account is not None:
            field.widget = forms.HiddenInput()
        if not self.is_bound:
            if self.only_account is not None:
                self.initial.setdefault("account", self.only_account.pk)
            self.initial.setdefault(
                "removed_at",
                timezone.localtime(clock.now()).replace(second=0, microsecond=0),
            )
            self.initial.setdefault(
                "platform_action", RemovalDecision.PlatformAction.HIDDEN
            )
            first = "comment_url" if self.only_account is not None else "account"
            self.fields[first].widget.attrs["autofocus"] = True

    def _post_clean(self) -> None:
        # The service validates the record whole (full_clean() once the comment
        # id is read from the address, and the rules across fields), with
        # messages a manager can act on; checking a half-built record here
        # would only repeat them as constraint names.
        pass

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in REMOVAL_MORE_FIELDS]

    def more_has_errors(self) -> bool:
        return any(self[name].errors for name in REMOVAL_MORE_FIELDS)

    def category_rows(self) -> list[tuple[Any, RemovalCategory]]:
        """Pair each checkbox with its category, for the description beside it."""
        categories = {c.pk: c for c in RemovalCategory.objects.all()}
        return [
            (checkbox, categories[int(str(checkbox.data["value"]))])
            for checkbox in self["categories"]
        ]


class NotifyForm(forms.ModelForm):
    """Record that the author was told (N6, P22): how, the text sent, and when
    (now, unless said)."""

    conditional = ("notification_text",)

    notified_at = _datetime_field(
        "Told at", "Enter when.", required=False, help_text="Now, unless you say."
    )

    class Meta:
        model = RemovalAmendment
        fields = ["notified_via", "notification_text", "notified_at"]
        labels = {
            "notified_via": "How was the author told?",
            "notification_text": "Text sent",
        }
        widgets = {"notification_text": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        via = cast(forms.ChoiceField, self.fields["notified_via"])
        via.required = True
        via.choices = [
            c
            for c in RemovalDecision.NotifiedVia.choices
            if c[0] != RemovalDecision.NotifiedVia.NOT_YET
        ]
        via.error_messages["required"] = "Choose how the author was told."

    def _post_clean(self) -> None:
        # removal_notify_author validates the amendment whole (full_clean()),
        # with the decision it belongs to.
        pass


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


class AmendForm(forms.Form):
    # Which one is needed depends on what is corrected: not "(optional)".
    conditional = ("value", "when", "categories")

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


class EvidenceForm(forms.Form):
    evidence = forms.FileField(
        label="Screenshot or PDF",
        error_messages={"required": "Choose a screenshot or PDF."},
    )
    reason = forms.CharField(
        label="What it shows, and why it is added now",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the evidence shows."},
    )


class RestoreForm(forms.ModelForm):
    class Meta:
        model = RemovalAmendment
        fields = ["reason"]
        labels = {"reason": "Why the comment is restored"}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "reason": {"required": "Say why the comment is being restored."}
        }


class RestorationDoneForm(forms.ModelForm):
    """A manager confirms the comment is back on the platform (P22)."""

    class Meta:
        model = RestorationTask
        fields = ["done_note"]
        widgets = {"done_note": forms.Textarea(attrs={"rows": 2})}
