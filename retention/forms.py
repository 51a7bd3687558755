"""Forms of the staff pages; the services do the checking that matters."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account
from core.forms import LocalDateTimeField
from retention.models import Message, Series


class ClassifyForm(forms.ModelForm):
    """Change a message's Data Practices classification (P24)."""

    class Meta:
        model = Message
        fields = ["classification", "classification_basis"]

    conditional = ("classification_basis",)  # needed unless public


class FollowUpFlagForm(forms.ModelForm):
    """Flag a business request (P19): when the follow-up is due, and the city
    process that handles it."""

    class Meta:
        model = Message
        fields = ["follow_up_due_on", "follow_up_reference"]
        widgets = {"follow_up_due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_due_on"].required = True


class FollowUpForm(forms.ModelForm):
    """Record the follow-up (P19): how, what was done, the process reference."""

    class Meta:
        model = Message
        fields = ["follow_up_channel", "follow_up_note", "follow_up_reference"]
        widgets = {
            "follow_up_channel": forms.RadioSelect,
            "follow_up_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["follow_up_channel"]
        channel.required = True
        channel.choices = Message.FollowUpChannel.choices  # type: ignore[attr-defined]
        self.fields["follow_up_note"].required = True


class LegalHoldForm(forms.Form):
    title = forms.CharField(max_length=200)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Litigation, data request or investigation, with its reference.",
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=Account.objects.select_related("platform"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sender_handle = forms.CharField(max_length=200, required=False, label="Sender")
    series = forms.MultipleChoiceField(
        choices=Series.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Record series",
        help_text="None ticked: every series.",
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class DisasterPeriodForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    starts_at = LocalDateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = LocalDateTimeField(
        label="Ends",
        required=False,
        help_text="Leave empty while the disaster continues.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=Account.objects.select_related("platform"),
        widget=forms.CheckboxSelectMultiple,
    )


class EndDisasterForm(forms.Form):
    ends_at = LocalDateTimeField(
        label="Ended", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
