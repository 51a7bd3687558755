"""The public request form, staff entry and the staff steps."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account
from appeals import models as am
from core.public_forms import SpamTrapFields
from datarequests.models import DESCRIPTION_MAX, DataRequest, RequestPause


class RequestFields(forms.Form):
    kind = forms.ChoiceField(
        label="What are you asking for?",
        choices=DataRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="Which records?",
        max_length=DESCRIPTION_MAX,
        help_text="For example: comments of mine the city removed, messages I sent "
        "to the city's accounts, and my appeals.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    name = forms.CharField(
        label="Your name",
        required=False,
        max_length=am.NAME_MAX,
        help_text="Needed for data about you. A request for public data may be "
        "anonymous.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    handles = forms.CharField(
        label="Your names or handles on the city's accounts",
        required=False,
        max_length=500,
        help_text="Separated by commas, e.g. @danaw, Dana W.",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=am.EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=am.ADDRESS_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )

    conditional = ("name", "email", "postal_address")

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            name: d.get(name) or ""
            for name in (
                "kind",
                "description",
                "name",
                "handles",
                "email",
                "postal_address",
            )
        }


class PublicRequestForm(RequestFields, SpamTrapFields):
    """The public Data Practices request form (no JavaScript)."""


class StaffRequestForm(RequestFields):
    """A request that came by letter, email or visit."""

    channel = forms.ChoiceField(
        label="Received by",
        choices=[c for c in am.Channel.choices if c[0] != am.Channel.WEB],
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **super().service_kwargs(),
            "channel": self.cleaned_data["channel"],
            "received_on": self.cleaned_data["received_on"],
        }


class SearchForm(forms.Form):
    terms = forms.CharField(
        label="Names, handles or email addresses",
        max_length=500,
        help_text="Separated by commas.",
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    account = forms.ModelChoiceField(
        label="Account",
        required=False,
        queryset=Account.objects.select_related("platform"),
        empty_label="Every account I may search",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The range ends before it starts.")
        return data

    def term_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["terms"].split(",") if t.strip()]


class IdentityForm(forms.Form):
    method = forms.ChoiceField(
        label="How was the identity verified?",
        choices=DataRequest.IdentityMethod.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Details", required=False, max_length=300)


class PauseForm(forms.Form):
    why = forms.ChoiceField(
        label="Why stop the clock?",
        choices=RequestPause.Why.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note", required=False, max_length=500)


class CostForm(forms.Form):
    pages = forms.IntegerField(label="Pages of copies", min_value=0, max_value=10**6)
    per_page = forms.DecimalField(
        label="Per page ($)", min_value=0, max_digits=6, decimal_places=2
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label="How was it closed?", max_length=2000, widget=forms.Textarea
    )


class ConsultationForm(forms.Form):
    notes = forms.CharField(
        label="Privileged notes", max_length=20000, widget=forms.Textarea
    )
