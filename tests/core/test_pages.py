import pytest
from django.contrib.auth.models import Group

from core import dashboard, roles

pytestmark = pytest.mark.django_db


def test_home_page_names_the_city_from_its_profile(client, city_profile):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "Maple Falls on social media" in html


def test_home_page_works_before_a_profile_exists(client, settings):
    settings.CITY_NAME_FALLBACK = "Anytown"
    assert "Anytown on social media" in client.get("/").content.decode()


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/staff/")


def test_dashboard_refuses_non_staff(login_as, make_staff):
    user = make_staff(is_staff=False)
    response = login_as(user).get("/staff/")
    assert response.status_code == 302


def test_dashboard_shows_registered_panels_with_alerts_first(login_as, manager):
    def overdue(request):
        return dashboard.Panel(
            title="Overdue things", template="core/panels/welcome.html", alert=True
        )

    dashboard.register(overdue)
    try:
        html = login_as(manager).get("/staff/").content.decode()
    finally:
        dashboard._providers.remove(overdue)
    assert "Staff dashboard" in html
    assert html.index("Overdue things") < html.index("Your roles")
    assert 'class="panel alert"' in html
    assert roles.SOCIAL_MEDIA_MANAGER in html


def test_admin_is_titled_with_the_city_name(login_as, city_admin, city_profile):
    html = login_as(city_admin).get("/admin/").content.decode()
    assert "Maple Falls social media administration" in html


def test_every_role_exists_as_a_group_with_its_permissions():
    declared = roles.role_permissions()
    for role in roles.ROLES:
        group = Group.objects.get(name=role)
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert declared[role] <= held, role
    admin = Group.objects.get(name=roles.CITY_ADMINISTRATOR)
    assert admin.permissions.filter(codename="change_cityprofile").exists()
    manager = Group.objects.get(name=roles.SOCIAL_MEDIA_MANAGER)
    assert not manager.permissions.filter(codename="change_cityprofile").exists()


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    from django.core.management import call_command

    from accounts.models import Account, User

    call_command("seed_demo")
    counts = (User.objects.count(), Account.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Account.objects.count()) == counts
    out = capsys.readouterr().out
    assert "Demo sign-ins" in out
    for role in roles.ROLES:
        assert role in out
