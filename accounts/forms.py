"""Forms of the accounts staff pages and admin. A form that edits a record is a
``ModelForm`` of it (its fields, labels and rules come from the model); the
services decide. Every form is drawn by the one renderer (``core.forms``), which
adds "(optional)" to a field that is not required: no label says it itself."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models

from accounts.models import (
    Account,
    AccountRequest,
    Department,
    Incident,
    ManagerAccess,
    Offboarding,
    OffboardingStep,
    Platform,
    User,
)
from core.forms import LocalDateInput, LocalDateTimeField


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _active_staff() -> models.QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True).order_by(
        "last_name", "first_name", "username"
    )


def https_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Form fields as Django makes them, with addresses assumed to be https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class AccountRequestForm(forms.ModelForm):
    """A department's request for a new account (P12)."""

    class Meta:
        model = AccountRequest
        formfield_callback = https_formfield
        fields = AccountRequest.EDITABLE_FIELDS
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "audience": forms.Textarea(attrs={"rows": 3}),
            "proposed_managers": forms.Textarea(attrs={"rows": 3}),
            "upkeep_plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": "Personal accounts of staff or councilmembers cannot be "
            "registered (P6).",
        }

    def __init__(self, *args: Any, allow_councilmember: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice(self, "platform").queryset = Platform.objects.filter(active=True)
        _choice(self, "department").queryset = Department.objects.all()
        if not allow_councilmember:
            # P6: only a city that opted in may have councilmember accounts.
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = [
                c for c in Account.Kind.choices if c[0] != Account.Kind.COUNCILMEMBER
            ]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# The decision and reason forms below are the input of one step (a service's
# arguments), not a record's fields, so they are plain forms.


class ApproveForm(forms.Form):
    reason = forms.CharField(
        label="Reason for approving",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the request's record (P12).",
    )
    cap_override_reason = forms.CharField(
        label="Reason for going beyond the sustainable number",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when the city already has as many accounts as its "
        "profile says it can sustain (P12).",
    )
    slug = forms.SlugField(
        label="Short name for its public notice address",
        required=False,
        max_length=Account._meta.get_field("slug").max_length,
        help_text="Made from the platform and handle when left blank.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OffboardingStartForm(forms.ModelForm):
    class Meta:
        model = Offboarding
        fields = ("person", "reason", "deactivate_sign_in")
        labels = {
            "person": "Person leaving their social media duties",
            # P3: access to this system ends with the duties, unless another
            # role remains.
            "deactivate_sign_in": "Also deactivate their sign-in to this system",
        }
        help_texts = {
            "reason": "For example: left the city on 2026-03-31; changed role.",
            "deactivate_sign_in": "Done when the offboarding completes. Their "
            "sign-in stays if by then they also oversee every account's records "
            "(City Administrator, Records Officer or City Attorney), or manage an "
            "account again. Untick it when they only changed role.",
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "person").queryset = _active_staff()


class StepCompleteForm(forms.ModelForm):
    class Meta:
        model = OffboardingStep
        fields = ("note",)
        help_texts = {
            "note": "E.g. removed from the page roles by C. Lindqvist. Never type a "
            "password here."
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class HandoverForm(forms.Form):
    """Whom one piece of an offboarded person's work goes to (``accounts.handover``):
    the provider's candidates, and its statement to tick when it has one."""

    to = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(
        self,
        *args: Any,
        candidates: models.QuerySet[User],
        to_label: str,
        confirm: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        to = _choice(self, "to")
        to.queryset = candidates
        to.label = to_label
        if confirm:
            self.fields["confirmed"] = forms.BooleanField(label=confirm, required=True)


class IncidentForm(forms.ModelForm):
    """A misuse, disclosure or other breach (P16-P18), as first reported."""

    occurred_at = LocalDateTimeField(
        label="When it happened", help_text="As closely as known."
    )

    class Meta:
        model = Incident
        fields = (
            "kind",
            "person",
            "account",
            "occurred_at",
            "description",
            "reported_by",
        )
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "person").queryset = User.objects.filter(is_staff=True).order_by(
            "last_name", "first_name", "username"
        )
        _choice(self, "account").queryset = Account.objects.select_related("platform")
        # A radio group has no empty choice.
        cast(forms.ChoiceField, self.fields["kind"]).choices = Incident.Kind.choices

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IncidentCloseForm(forms.ModelForm):
    """An incident's follow-up: the action taken, by whom and when."""

    class Meta:
        model = Incident
        fields = ("action_taken", "action_taken_by", "action_taken_on")
        widgets = {
            "action_taken": forms.Textarea(attrs={"rows": 4}),
            "action_taken_on": LocalDateInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Optional on the record while it is open; needed to close it.
        self.fields["action_taken"].required = True
        self.fields["action_taken_on"].required = True

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- admin forms ----------------------------------------------------------------------


class AccountRegisterForm(forms.ModelForm):
    """Put an account the city already runs on the registry (admin 'add')."""

    city_controlled_confirmed = forms.BooleanField(
        label="The city controls this account",
        required=True,
        help_text="P6: personal accounts, and accounts outside the control of the "
        "city's social media managers, cannot be registered.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it is registered (P14), e.g. 'Existing account, approved by "
        "Council resolution 2025-14'.",
    )
    cap_override_reason = forms.CharField(
        label="Reason for going beyond the sustainable number",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when the city is at its sustainable number (P12).",
    )

    class Meta:
        model = Account
        formfield_callback = https_formfield
        fields = (
            "platform",
            "handle",
            "display_name",
            "url",
            "slug",
            "department",
            "kind",
            "comments_enabled",
            "uses_shared_login",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False


class AccountChangeForm(forms.ModelForm):
    class Meta:
        model = Account
        formfield_callback = https_formfield
        fields = Account.UPDATABLE_FIELDS


class GrantForm(forms.ModelForm):
    """Give a manager access to an account (P3, P11): the rules of a grant are
    the model's (``ManagerAccess.clean``), checked as the form is validated."""

    class Meta:
        model = ManagerAccess
        fields = ("account", "manager", "platform_mfa_confirmed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "manager").queryset = _active_staff()
        # Shut-down accounts stay listed so the refusal names the reason (P4).
        _choice(self, "account").queryset = Account.objects.select_related("platform")


class RecertifyForm(forms.Form):
    platform_mfa_confirmed = forms.BooleanField(
        label="They still use multi-factor sign-in on the platform",
        required=False,
    )
