"""The admin speaks to a city clerk: no app is shown under its package name."""

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_staff):
    return make_staff(is_superuser=True)


@pytest.fixture
def superuser_client(login_as, superuser):
    return login_as(superuser)


def test_admin_index_shows_readable_names_for_the_security_apps(superuser_client):
    html = superuser_client.get("/admin/").content.decode()
    for name in ("Sign-in attempts and lockouts", "Backup codes", "Authenticator apps"):
        assert name in html
    for raw in ("Axes", "Otp_Static", "Otp_Totp", "Django_Otp", "Two_Factor"):
        assert f">{raw}<" not in html


def test_no_app_in_the_admin_is_named_after_its_package(superuser, rf):
    request = rf.get("/admin/")
    request.user = superuser
    app_list = admin.site.get_app_list(request)
    assert {app["app_label"] for app in app_list} >= {"axes", "otp_static", "otp_totp"}
    for app in app_list:
        label = app["app_label"]
        assert app["name"] not in (label, label.title()), app["name"]
        assert "_" not in app["name"], app["name"]


def test_app_index_page_uses_the_readable_name(superuser_client):
    html = superuser_client.get("/admin/otp_totp/").content.decode()
    assert "Authenticator apps administration" in html
