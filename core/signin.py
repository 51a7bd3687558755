"""Staff sign-in: password, then a second factor; lockout after repeated failures.

The pages come from django-two-factor-auth (TOTP apps and one-time backup codes,
through django-otp); the changes a person makes to their own second factor are
recorded in the audit trail. django-axes counts failed passwords and answers a
locked-out sign-in with :func:`lockout_response`; a City Administrator can unlock
early in the admin (Administration -> Access attempts -> Unlock).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from two_factor import views as tf_views

from core import audit


def axes_username(
    request: HttpRequest, credentials: dict[str, Any] | None = None
) -> str | None:
    """Return the user name django-axes counts a sign-in under, cut to the length
    of its column (``AXES_USERNAME_CALLABLE``).

    Django's sign-in form passes a user name of any length to ``authenticate()``
    (``AuthenticationForm`` sets ``max_length`` without a validator), and axes
    stores it in a 255-character column: on PostgreSQL a longer one was a 500 at
    ``/signin/``. No account has a name that long (``User.username`` holds 150),
    so nothing is lost; the failure still counts against the address. Otherwise
    as axes' own lookup: the credentials, else the form.
    """
    from axes.models import AccessAttempt

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if not isinstance(username, str):
        return username
    return username[: AccessAttempt._meta.get_field("username").max_length]


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Tell a locked-out person what happened and what to do (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


class SignOutView(auth_views.LogoutView):
    """Sign out by POST, as the button in the header of every page does. A GET
    (a typed or bookmarked address) shows a page with that button, not a blank
    405: signing out by GET alone would let any page sign a person out."""

    http_method_names = ["get", "head", "post", "options"]
    template_name = "registration/sign_out.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You are signed out.")
        return response


class SetupView(tf_views.SetupView):
    def done(self, form_list: Any, **kwargs: Any) -> HttpResponse:
        response = super().done(form_list, **kwargs)
        audit.record_event(
            action="security.two_factor_enabled",
            target=self.request.user,
            actor=self.request.user,
            data={"method": self.get_method().code},
        )
        return response


class BackupTokensView(tf_views.BackupTokensView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record_event(
            action="security.backup_codes_generated",
            target=self.request.user,
            actor=self.request.user,
            data={"codes": self.number_of_tokens},
        )
        return response


class LoginView(tf_views.LoginView):
    """django-two-factor-auth's sign-in, telling its page whether a code follows
    the password (the embedded demo may relax the second factor). Named as the
    view it extends: the wizard's form fields are prefixed with the class name
    (``login_view-current_step``)."""

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form, **kwargs)
        context["second_factor_required"] = settings.TWO_FACTOR_REQUIRED
        return context


class DisableView(tf_views.DisableView):
    def form_valid(self, form: Any) -> HttpResponse:
        user = self.request.user
        response = super().form_valid(form)
        audit.record_event(
            action="security.two_factor_disabled", target=user, actor=user
        )
        return response


app_name = "two_factor"

urlpatterns = [
    path("signin/", LoginView.as_view(), name="login"),
    path("signin/setup/", SetupView.as_view(), name="setup"),
    path("signin/setup/qrcode/", tf_views.QRGeneratorView.as_view(), name="qr"),
    path(
        "signin/setup/complete/",
        tf_views.SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path("signin/backup-codes/", BackupTokensView.as_view(), name="backup_tokens"),
    path("signin/security/", tf_views.ProfileView.as_view(), name="profile"),
    path("signin/security/disable/", DisableView.as_view(), name="disable"),
    path("signout/", SignOutView.as_view(), name="logout"),
]


def lockout_release(*, attempts: Any, by: Any) -> int:
    """Unlock the user names and addresses of ``attempts`` (a queryset of axes
    ``AccessAttempt``) before their cool-off ends; record who did it. Return how
    many were released.
    """
    from django.db import transaction

    count = 0
    with transaction.atomic():
        for attempt in attempts.select_for_update():
            audit.record_event(
                action="security.lockout_released",
                target=attempt,
                actor=by,
                data={"failures": attempt.failures_since_start},
                personal={
                    "username": attempt.username,
                    "ip_address": attempt.ip_address,
                },
            )
            attempt.delete()
            count += 1
    return count
