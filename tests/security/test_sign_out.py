"""A way out: a sign-out button on every staff page and in the
administration pages, and a page, not a blank 405, at /signout/ by GET."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGN_OUT = reverse("two_factor:logout")
BUTTON = f'<form class="sign-out" method="post" action="{SIGN_OUT}">'


@pytest.mark.parametrize(
    "url_name",
    [
        "core:dashboard",
        "accounts:request-list",
        "accounts:offboarding-list",
        "accounts:incident-list",
        "notices:review",
        "notices:policy-acknowledgments",
        "notices:home",
    ],
)
def test_every_page_a_signed_in_person_sees_has_a_sign_out_button(
    login_as, city_admin, city_profile, url_name
):
    html = login_as(city_admin).get(reverse(url_name)).content.decode()
    assert BUTTON in html
    assert "Sign out" in html


def test_the_administration_pages_sign_out_the_same_way(login_as, city_admin):
    html = login_as(city_admin).get(reverse("admin:index")).content.decode()
    assert f'<form id="logout-form" method="post" action="{SIGN_OUT}">' in html
    assert ">Sign out</button>" in html


def test_a_visitor_who_is_not_signed_in_sees_no_sign_out_button(client, city_profile):
    assert BUTTON not in client.get(reverse("notices:home")).content.decode()


def test_signout_by_get_shows_a_page_with_the_button(login_as, city_admin):
    response = login_as(city_admin).get(SIGN_OUT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sign out</h1>" in html
    assert '<form method="post">' in html and "csrfmiddlewaretoken" in html
    # GET alone signs nobody out.
    assert "_auth_user_id" in login_as(city_admin).session


def test_signout_by_get_when_not_signed_in_says_so(client):
    response = client.get(SIGN_OUT)
    assert response.status_code == 200
    assert "You are not signed in." in response.content.decode()


def test_the_button_signs_out_and_says_so(login_as, city_admin, city_profile):
    client = login_as(city_admin)
    response = client.post(SIGN_OUT, follow=True)
    assert response.redirect_chain[-1][0] == reverse("notices:home")
    assert "You are signed out." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:dashboard")).status_code == 302
