"""The registry's identity rules: URL on the platform's host, handle in the URL,
no duplicates (P7, P9)."""

import pytest

from accounts.models import (
    handle_matches_url,
    normalise_url,
    validate_account_identity,
)
from tests.accounts.factories import CompliantAccountFactory, platform

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("handle", "url"),
    [
        ("cityoflakeside", "https://www.facebook.com/cityoflakeside"),
        ("@LakesideMN", "https://x.com/lakesidemn"),
        ("lakesidemn", "https://www.youtube.com/@LakesideMN/videos"),
        ("city-of-lakeside", "https://www.linkedin.com/company/city-of-lakeside/"),
        ("100064", "https://www.facebook.com/profile.php?id=100064"),
    ],
)
def test_a_handle_matches_the_url_that_names_it(handle, url):
    assert handle_matches_url(handle, url)


@pytest.mark.parametrize(
    ("handle", "url"),
    [
        ("cityoflakesid", "https://www.facebook.com/cityoflakeside"),
        ("", "https://x.com/lakesidemn"),
        ("@", "https://x.com/lakesidemn"),
        ("lakeside", "https://x.com/lakesidemn"),
    ],
)
def test_a_handle_that_is_not_in_the_url_does_not_match(handle, url):
    assert not handle_matches_url(handle, url)


def test_urls_that_name_the_same_account_normalise_alike():
    assert (
        normalise_url("https://www.Facebook.com/CityOfLakeside/")
        == normalise_url("http://facebook.com/cityoflakeside")
        == normalise_url("https://m.facebook.com/cityoflakeside#about")
    )
    assert normalise_url("https://x.com/a") != normalise_url("https://x.com/b")


@pytest.mark.parametrize(
    ("url", "field", "words"),
    [
        ("not a url", "url", "full web address"),
        ("ftp://facebook.com/lakeside", "url", "full web address"),
        ("https://www.instagram.com/lakeside", "url", "not on Facebook"),
        ("https://facebook.com.evil.example/lakeside", "url", "not on Facebook"),
        ("https://www.facebook.com/", "url", "home page"),
        ("https://www.facebook.com/someoneelse", "handle", "does not appear"),
        ("https://facebook.com:99999/lakeside", "url", "Leave the port out"),
        ("https://facebook.com:8080/lakeside", "url", "Leave the port out"),
        ("https://facebook.com:x/lakeside", "url", "Leave the port out"),
    ],
)
def test_malformed_or_mismatched_identity_is_refused_with_a_reason(url, field, words):
    errors = validate_account_identity(
        platform=platform("facebook"), handle="lakeside", url=url
    )
    assert words in errors[field]


def test_a_duplicate_url_is_refused_whatever_its_spelling(city_profile):
    existing = CompliantAccountFactory(
        platform=platform("facebook"),
        handle="lakeside",
        url="https://www.facebook.com/lakeside",
    )
    errors = validate_account_identity(
        platform=platform("facebook"),
        handle="Lakeside",
        url="http://facebook.com/LAKESIDE/",
    )
    assert f"already on the registry (account #{existing.pk})" in errors["url"]
    # The same account may be saved again (it is not its own duplicate).
    assert not validate_account_identity(
        platform=platform("facebook"),
        handle="lakeside",
        url="https://www.facebook.com/lakeside",
        exclude_account_id=existing.pk,
    )


def test_the_same_handle_on_another_platform_is_not_a_duplicate(city_profile):
    CompliantAccountFactory(
        platform=platform("facebook"),
        handle="lakeside",
        url="https://www.facebook.com/lakeside",
    )
    assert not validate_account_identity(
        platform=platform("instagram"),
        handle="lakeside",
        url="https://www.instagram.com/lakeside/",
    )
