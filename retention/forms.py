"""Forms of the staff pages; the services do the checking that matters."""

from __future__ import annotations

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
