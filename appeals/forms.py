"""Forms for the public appeal and challenge pages and the staff workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from accounts.models import Account
from appeals import models as m
from appeals.sections import section_choices
from core import clock
from core.public_forms import SpamTrapFields

if TYPE_CHECKING:
    from accounts.models import User
    from moderation.models import RemovalCategory
    from notices.models import DocumentVersion


class ContactFields(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=m.NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=m.EMAIL_MAX,
        help_text="We send the acknowledgment and the written answer here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=m.ADDRESS_MAX,
        help_text="Only if you want the answer by mail.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    reply_by = forms.ChoiceField(
        label="How should we send our written answer?",
        choices=m.Delivery.choices,
        initial=m.Delivery.EMAIL,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:  # Form.clean() returns cleaned_data; the stubs allow None
            data = self.cleaned_data
        email = data.get("email", "")
        address = (data.get("postal_address") or "").strip()
        data["postal_address"] = address
        reply_by = data.get("reply_by")
        if reply_by == m.Delivery.EMAIL and not email and "email" not in self.errors:
            self.add_error(
                "email", "Give an email address, or choose an answer by mail."
            )
        if reply_by == m.Delivery.MAIL and not address:
            self.add_error(
                "postal_address", "Give a postal address, or choose an answer by email."
            )
        return data


def _account_choices() -> Any:
    return Account.objects.exclude(status=Account.Status.SHUT_DOWN).select_related(
        "platform"
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Account) -> str:
        return f"{obj.display_name} on {obj.platform.name} ({obj.handle})"


class AppealForm(ContactFields, SpamTrapFields):
    """P22: the public appeal of a removed comment."""

    # Needed with or instead of another answer (clean() says when): not marked
    # "(optional)" (core.forms).
    conditional = (
        "account_other",
        "comment_url",
        "comment_text",
        "email",
        "postal_address",
    )

    account = AccountChoiceField(
        label="Which city account was the comment on?",
        # Every account but those shut down (staff entering a letter see all).
        queryset=_account_choices(),
        required=False,
        empty_label="I am not sure, or it is not listed",
    )
    account_other = forms.CharField(
        label="If it is not listed, which page or account?",
        required=False,
        max_length=200,
    )
    comment_posted_on = forms.DateField(
        label="Roughly when did you post the comment?",
        required=False,
        help_text="For example 2026-11-20. Your best guess is fine.",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[m.not_before_earliest],
    )
    comment_url = forms.URLField(
        label="Link to the comment or the post it was under",
        required=False,
        max_length=m.URL_MAX,
        assume_scheme="https",
    )
    comment_text = forms.CharField(
        label="What did the comment say, as well as you remember?",
        required=False,
        max_length=m.COMMENT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    removal_reference = forms.CharField(
        label="Removal reference",
        required=False,
        max_length=40,
        help_text="If the city's message about the removal gave a reference, "
        "such as “Removal #10”, copy it here.",
    )
    explanation = forms.CharField(
        label="Why does the comment not fall into any of the categories?",
        max_length=m.EXPLANATION_MAX,
        help_text="Explain in your own words. You can refer to the categories "
        "listed above by number.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    field_order = [
        "account",
        "account_other",
        "comment_posted_on",
        "comment_url",
        "comment_text",
        "removal_reference",
        "explanation",
        "name",
        "email",
        "postal_address",
        "reply_by",
        "website",
        "started",
    ]

    def clean_comment_posted_on(self) -> Any:
        posted = self.cleaned_data.get("comment_posted_on")
        if posted and posted > clock.today():
            raise forms.ValidationError("That date is in the future.")
        return posted

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            not data.get("account")
            and not (data.get("account_other") or "").strip()
            # An account that is no choice already says so on its own field.
            and "account" not in self.errors
        ):
            self.add_error(
                "account_other",
                "Choose the account, or tell us which page or account it was.",
            )
        if (
            not data.get("comment_url")
            and not (data.get("comment_text") or "").strip()
            and "comment_url" not in self.errors
        ):
            self.add_error(
                "comment_text",
                "Give a link to the comment, or what it said as you remember it.",
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"].strip(),
            "email": d["email"],
            "postal_address": d["postal_address"],
            "reply_by": d["reply_by"],
            "account": d["account"],
            "account_other": (d["account_other"] or "").strip(),
            "comment_posted_on": d["comment_posted_on"],
            "comment_url": d["comment_url"],
            "comment_text": (d["comment_text"] or "").strip(),
            "removal_reference": (d["removal_reference"] or "").strip(),
            "explanation": d["explanation"].strip(),
        }


class ChallengeForm(ContactFields, SpamTrapFields):
    """P23: the public challenge of the legality of part of the policy or notice."""

    conditional = ("email", "postal_address")

    section = forms.ChoiceField(
        label="Which part of the policy or notice do you challenge?",
        choices=(),
    )
    basis = forms.CharField(
        label="The basis of your challenge, in detail",
        max_length=m.EXPLANATION_MAX,
        help_text="Explain why you believe this part is unlawful: which law, "
        "right or decision it conflicts with, and how.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    field_order = [
        "section",
        "basis",
        "name",
        "email",
        "postal_address",
        "reply_by",
        "website",
        "started",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = section_choices()
        cast(forms.ChoiceField, self.fields["section"]).choices = [
            ("", "Choose a part"),
            *self.sections,
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        titles = dict(self.sections)
        return {
            "name": d["name"].strip(),
            "email": d["email"],
            "postal_address": d["postal_address"],
            "reply_by": d["reply_by"],
            "section_anchor": d["section"],
            "section_title": titles[d["section"]][:200],
            "basis": d["basis"].strip(),
        }


# --- staff --------------------------------------------------------------------------


class StaffEntryMixin(forms.Form):
    channel = forms.ChoiceField(
        label="How it came",
        choices=[c for c in m.Channel.choices if c[0] != m.Channel.WEB],
    )
    received_on = forms.DateField(
        label="Date received",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[m.not_before_earliest],
    )
    letter = forms.FileField(
        label="Scanned letter or printed email",
        required=False,
        help_text="PDF or image, up to 15 MB.",
    )

    def clean_received_on(self) -> Any:
        received = self.cleaned_data["received_on"]
        if received > clock.today():
            raise forms.ValidationError("That date is in the future.")
        return received


class StaffAppealForm(StaffEntryMixin, AppealForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("website", "started"):
            del self.fields[name]
        account = cast(AccountChoiceField, self.fields["account"])
        account.queryset = Account.objects.select_related("platform")


class StaffChallengeForm(StaffEntryMixin, ChallengeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("website", "started"):
            del self.fields[name]


class ReviewerForm(forms.Form):
    reviewer: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Reviewer"
    )

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = reviewers


class AppealAnswerForm(forms.Form):
    # Needed for a modified outcome (appeal_answer says so): not "(optional)".
    conditional = ("categories",)

    outcome = forms.ChoiceField(
        choices=m.Appeal.Outcome.choices, widget=forms.RadioSelect
    )
    categories: forms.ModelMultipleChoiceField[RemovalCategory] = (
        forms.ModelMultipleChoiceField(
            queryset=None,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="For a modified outcome: the categories the removal stands on",
        )
    )
    response = forms.CharField(
        label="Written response to the resident",
        max_length=m.RESPONSE_MAX,
        help_text="Sent exactly as written, and shown on the resident's status page.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from moderation.models import RemovalCategory

        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["categories"])
        field.queryset = RemovalCategory.objects.all()


class ChallengeAnswerForm(forms.Form):
    # Needed for an amended outcome (challenge_answer says so): not "(optional)".
    conditional = ("amended_version",)

    outcome = forms.ChoiceField(
        choices=m.LegalityChallenge.Outcome.choices, widget=forms.RadioSelect
    )
    amended_version: forms.ModelChoiceField[DocumentVersion] = forms.ModelChoiceField(
        label="For an amended outcome: the new policy or notice version",
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from notices.models import DocumentVersion

        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["amended_version"])
        field.queryset = DocumentVersion.objects.public()

    response = forms.CharField(
        label="Written response to the resident",
        max_length=m.RESPONSE_MAX,
        help_text="Sent exactly as written, and shown on the resident's status page.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class ConsultationForm(forms.Form):
    attorney: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Attorney consulted"
    )
    consulted_on = forms.DateField(
        label="Date consulted", widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label="Privileged notes",
        max_length=m.RESPONSE_MAX,
        help_text="Visible only to the City Attorney and City Administrator.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, attorneys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["attorney"]).queryset = attorneys


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="How did the resident withdraw it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
