"""core.net.client_ip: the client's address in its one canonical spelling."""

from django.test import RequestFactory

from core.net import client_ip


def test_an_ipv6_address_is_given_as_the_database_stores_it(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0:0::1")
    assert client_ip(request) == "2001:db8::1"


def test_behind_one_proxy_the_forwarded_address_is_used_and_checked(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    rf = RequestFactory()
    good = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert client_ip(good) == "198.51.100.20"
    # Whatever a client sends that is not an address is no address at all.
    bad = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(bad) is None
