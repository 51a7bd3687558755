"""Forms of the accounts staff pages and admin. They parse input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import (
    Account,
    AccountRequest,
    Department,
    ManagerAccess,
    OffboardingStep,
    Platform,
    User,
)
from accounts.selectors import staff_with_current_access
from core import clock


def apply_errors(form: forms.BaseForm, exc: ValidationError | Exception) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(exc))


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


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
        fields = (
            "department",
            "platform",
            "kind",
            "proposed_handle",
            "proposed_url",
            "display_name",
            "purpose",
            "audience",
            "proposed_managers",
            "upkeep_plan",
            "city_controlled_confirmed",
        )
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "audience": forms.Textarea(attrs={"rows": 3}),
            "proposed_managers": forms.Textarea(attrs={"rows": 3}),
            "upkeep_plan": forms.Textarea(attrs={"rows": 3}),
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
        self.fields[
            "kind"
        ].help_text = (
            "Personal accounts of staff or councilmembers cannot be registered (P6)."
        )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


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
        max_length=60,
        help_text="Optional; made from the platform and handle when left blank.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OffboardingStartForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Person leaving their social media duties",
        help_text="Everyone who currently manages at least one account.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: left the city on 2026-03-31; changed role.",
    )
    # P3: access to this system ends with the duties, unless another role remains.
    deactivate_sign_in = forms.BooleanField(
        required=False,
        initial=True,
        label="Also deactivate their sign-in to this system",
        help_text="Done when the last platform step is recorded. Their sign-in "
        "stays if by then they are also City Administrator, Records Officer or "
        "City Attorney, or manage an account again. Untick it when they only "
        "changed role.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "person").queryset = staff_with_current_access()


class StepCompleteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=OffboardingStep._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. removed from the page roles by C. Lindqvist. "
        "Never type a password here.",
    )


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
        fields = (
            "handle",
            "display_name",
            "url",
            "slug",
            "department",
            "comments_enabled",
            "uses_shared_login",
            "platform_account_id",
        )


class GrantForm(forms.ModelForm):
    """Give a manager access to an account (P3, P11, P17, P18)."""

    policy_acknowledged_at = forms.DateTimeField(
        label="Policy acknowledged on",
        help_text="P17, P18: when the manager signed the acknowledgment of the "
        "social media policy.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    platform_mfa_confirmed = forms.BooleanField(
        label="Uses multi-factor sign-in on the platform",
        required=False,
        help_text="Access cannot be given without it. The product never stores "
        "platform passwords or tokens.",
    )

    class Meta:
        model = ManagerAccess
        fields = ("account", "manager", "policy_acknowledged_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "manager").queryset = User.objects.filter(
            is_active=True, is_staff=True
        ).order_by("last_name", "first_name", "username")
        # Shut-down accounts stay listed so the refusal names the reason (P4).
        _choice(self, "account").queryset = Account.objects.select_related("platform")
        self.fields["policy_acknowledged_at"].initial = clock.now

    def _post_clean(self) -> None:
        # The service validates the grant as a whole (shut-down account, MFA,
        # duplicates); the model's own full_clean would run too early here.
        pass


class RecertifyForm(forms.Form):
    platform_mfa_confirmed = forms.BooleanField(
        label="They still use multi-factor sign-in on the platform",
        required=False,
    )
