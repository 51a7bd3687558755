"""Item 1: staff sign in with a password and a second factor; lockout; passwords;
inactivity expiry."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from tests.security.conftest import current_code, sign_in_code, sign_in_password

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_password_alone_does_not_open_staff_pages(login_unverified, manager):
    TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    client = login_unverified(manager)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/staff/"


def test_password_alone_does_not_open_the_admin(login_unverified, city_admin):
    TOTPDevice.objects.create(user=city_admin, name="default", confirmed=True)
    client = login_unverified(city_admin)
    for url in ("/admin/", "/admin/core/auditevent/", "/admin/accounts/user/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == f"/signin/?next={url}", url
        assert "Staff sign-in" in response.content.decode()


def test_admin_sign_in_page_goes_through_the_two_step_sign_in(
    client, login_as, manager
):
    response = client.get("/admin/login/")
    assert response["Location"] == "/signin/?next=/admin/"
    # Already signed in with both steps: straight on (no loop back to sign-in).
    response = login_as(manager).get("/admin/login/?next=/admin/accounts/account/")
    assert response["Location"] == "/admin/accounts/account/"
    response = login_as(manager).get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/admin/"


def test_staff_without_a_device_are_sent_to_set_one_up(login_unverified, manager):
    response = login_unverified(manager).get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/setup/?next=/staff/"


def test_login_as_gives_a_verified_session(login_as, city_admin):
    client = login_as(city_admin)
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_full_sign_in_with_password_then_authenticator_code(client, manager):
    device = TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    response = sign_in_password(client, manager.username)
    assert response.status_code == 200
    assert "six-digit code" in response.content.decode()
    # Not yet signed in: the code is still missing.
    assert client.get("/staff/").status_code == 302

    response = sign_in_code(client, current_code(device))
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_sign_in_with_a_one_time_backup_code(client, manager):
    TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    backup = StaticDevice.objects.create(user=manager, name="backup", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    sign_in_password(client, manager.username)
    client.post(
        "/signin/", {"login_view-current_step": "token", "wizard_goto_step": "backup"}
    )
    response = sign_in_code(client, "abcd2345", step="backup")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    # Used once, gone.
    assert not StaticToken.objects.filter(token="abcd2345").exists()


def test_first_sign_in_sets_up_an_authenticator_and_records_it(client, manager):
    response = sign_in_password(client, manager.username)
    # No device yet: signed in with the password, but staff pages ask for setup.
    response = client.get("/staff/")
    assert response["Location"] == "/signin/setup/?next=/staff/"
    response = client.get(response["Location"])
    assert "Set up two-step sign-in" in response.content.decode()
    response = client.post(
        "/signin/setup/?next=/staff/", {"setup_view-current_step": "welcome"}
    )
    key = client.session["django_two_factor-qr_secret_key"]
    assert key in response.content.decode()  # to type in, if the QR code will not scan
    assert client.get("/signin/setup/qrcode/")["Content-Type"].startswith("image/svg")
    device = TOTPDevice(
        key=client.session["wizard_setup_view"]["extra_data"]["keys"]["generator"]
    )
    response = client.post(
        "/signin/setup/?next=/staff/",
        {
            "setup_view-current_step": "generator",
            "generator-token": current_code(device),
        },
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).count() == 1
    event = AuditEvent.objects.get(action="security.two_factor_enabled")
    assert event.actor == manager


def test_relaxed_demo_setting_lets_password_only_staff_in(
    login_unverified, manager, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    assert login_unverified(manager).get("/staff/").status_code == 200


def test_the_sign_in_page_says_whether_a_code_follows_the_password(client, settings):
    page = client.get("/signin/").content.decode()
    assert "Next you will be asked for a code from your authenticator app." in page
    settings.TWO_FACTOR_REQUIRED = False
    page = client.get("/signin/").content.decode()
    assert "Next you will be asked" not in page
    assert "This demo signs staff in with the password alone" in page


def _settings_env(**env: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "TWO_FACTOR"))
    }
    base.update(env)
    return base


def test_production_refuses_to_relax_the_second_factor():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_settings_env(
            DJANGO_SECRET_KEY="k" * 60,
            DJANGO_ALLOWED_HOSTS="social.city.example.gov",
            AUDIT_HMAC_KEY="a" * 64,
            DATABASE_URL="postgres://city@db.internal:5432/citysocial",
            REDIS_URL="redis://cache.internal:6379/0",
            DJANGO_SETTINGS_MODULE="config.settings.production",
            TWO_FACTOR_REQUIRED="false",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert (
        "TWO_FACTOR_REQUIRED=false is allowed only in the embedded demo"
        in result.stderr
    )


# --- Lockout (django-axes) ----------------------------------------------------------


def test_repeated_failures_lock_the_account_with_a_clear_message(
    client, manager, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in_password(client, manager.username, "wrong password 1")
        assert response.status_code in (200, 429)
    # Even the right password is refused now.
    response = sign_in_password(client, manager.username)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "ask the City Administrator to unlock" in html
    assert "Traceback" not in html


def test_lockout_holds_from_another_address_for_the_same_user(
    client, manager, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password(
            client, manager.username, "nope", REMOTE_ADDR=f"198.51.100.{n + 1}"
        )
    response = sign_in_password(client, manager.username, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429


def test_spoofed_forwarded_for_does_not_dodge_the_address_lockout(
    client, make_staff, settings
):
    """Item 5: behind one trusted proxy, the client cannot pick its own address."""
    settings.TRUSTED_PROXY_COUNT = 1
    users = [make_staff() for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for n, user in enumerate(users[:-1]):
        sign_in_password(
            client,
            user.username,
            "nope",
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )
    response = sign_in_password(
        client,
        users[-1].username,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.7",
    )
    assert response.status_code == 429
    # Someone else behind the same proxy is not locked out with them.
    response = sign_in_password(
        client.__class__(),
        users[-1].username,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert response.status_code in (200, 302)  # signed in (no lockout page)


def test_city_administrator_unlocks_in_the_admin(
    client, login_as, manager, city_admin, settings
):
    attacker = client.__class__()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password(attacker, manager.username, "nope")
    assert sign_in_password(attacker, manager.username).status_code == 429
    admin_client = login_as(city_admin)
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.filter(action="security.lockout_released").first()
    assert event.actor == city_admin
    assert event.personal["username"] == manager.username
    # The person can sign in again (password step passes).
    TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    response = sign_in_password(client.__class__(), manager.username)
    assert response.status_code == 200
    assert "Sign-in paused" not in response.content.decode()


def test_a_manager_cannot_unlock(login_as, manager):
    response = login_as(manager).get("/admin/axes/accessattempt/")
    assert response.status_code == 403


def test_wrong_authenticator_codes_are_refused_and_throttled(
    client, manager, time_machine
):
    time_machine.move_to("2026-03-02 09:00:00", tick=False)
    device = TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    sign_in_password(client, manager.username)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = sign_in_code(client, wrong)
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Straight after a failure even the right code is refused until the delay passes.
    sign_in_code(client, current_code(device))
    assert client.get("/staff/").status_code == 302
    time_machine.shift(timedelta(seconds=5))
    assert sign_in_code(client, current_code(device)).status_code == 302
    assert client.get("/staff/").status_code == 200


# --- Passwords and sessions -------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["short1!", "password1234", "123456789012", "staffname-2024"]
)
def test_weak_passwords_are_refused(make_staff, password):
    user = make_staff(username="staffname")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted(make_staff):
    validate_password("lake-harbor-crocus-73", make_staff())


def test_staff_session_ends_after_inactivity(login_as, manager, settings, time_machine):
    time_machine.move_to("2026-03-02 09:00", tick=False)
    client = login_as(manager)
    assert client.get("/staff/").status_code == 200
    time_machine.move_to(
        f"2026-03-02 09:{settings.SESSION_COOKIE_AGE // 60 - 1:02d}", tick=False
    )
    assert client.get("/staff/").status_code == 200  # activity renews the session
    time_machine.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_session_expires_within_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def _make_run_dry(**env: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed-stamp", "run"],
        cwd=ROOT,
        env={**_settings_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def _announcement(dry_run: str) -> str:
    """Run the `if ... fi` block that `make run` uses to announce the mode."""
    block = dry_run[
        dry_run.index("if [") : dry_run.index("fi", dry_run.index("if [")) + 2
    ]
    return subprocess.run(
        ["bash", "-c", block], capture_output=True, text=True, check=True, timeout=30
    ).stdout


def test_make_run_says_when_the_demo_relaxes_the_second_factor():
    relaxed = _make_run_dry()
    assert "two-step staff sign-in is RELAXED" in _announcement(relaxed)
    assert "TWO_FACTOR_REQUIRED=false .venv/bin/honcho" in relaxed
    strict = _make_run_dry(TWO_FACTOR_REQUIRED="true")
    assert "RELAXED" not in _announcement(strict)
    assert "Two-step sign-in is ON" in _announcement(strict)
    assert "TWO_FACTOR_REQUIRED=true .venv/bin/honcho" in strict
