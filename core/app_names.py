"""Third-party apps under names a city clerk understands.

The admin index, its breadcrumbs and the permission lists (e.g. a role's
permissions: "Authenticator apps | TOTP device | Can delete TOTP device") show an
app's ``verbose_name``; these libraries leave it as their package name ("Axes",
"Otp_Totp", "Otp_Static"). ``INSTALLED_APPS`` lists these subclasses instead of the
packages: each keeps its library's name, label, models, migrations and ``ready()``,
and changes only the name people read. (They live apart from ``core.apps`` so that
Django still picks :class:`core.apps.CoreConfig` for ``core`` on its own.)
"""

from axes.apps import AppConfig as AxesConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpConfig


class SignInAttemptsConfig(AxesConfig):
    """django-axes: failed sign-ins and lockouts (core.signin, core.admin)."""

    verbose_name = "Sign-in attempts and lockouts"


class BackupCodesConfig(OtpStaticConfig):
    """django-otp's static devices: each staff member's one-time backup codes."""

    verbose_name = "Backup codes"


class AuthenticatorAppsConfig(OtpTotpConfig):
    """django-otp's TOTP devices: the authenticator app of each staff member."""

    verbose_name = "Authenticator apps"
