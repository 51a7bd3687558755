"""Every dashboard panel's template reads only what its provider gives it: with the
demo city loaded, each demo person's dashboard renders no name the template does
not have (a panel that reads a missing name shows nothing where its count belongs).

Django's ``string_if_invalid`` marks only names printed with ``{{ }}``; a missing
name read by ``{% if %}`` or ``{% for %}`` is simply false or empty, so a panel's
lists are checked by their own tests."""

from __future__ import annotations

import copy

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

MISSING = "MISSING-NAME:"


def test_each_demo_persons_dashboard_reads_only_names_it_has(settings, login_as):
    from accounts.models import User

    call_command("seed_demo", stdout=None)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0].setdefault("OPTIONS", {})["string_if_invalid"] = f"{MISSING}%s"
    settings.TEMPLATES = templates
    people = User.objects.filter(
        username__in=["clerk", "manager", "parks", "records", "attorney"]
    )
    assert people.count() == 5
    for person in people:
        html = login_as(person).get("/staff/").content.decode()
        assert "Staff dashboard" in html
        assert MISSING not in html, (
            person.username,
            html[html.find(MISSING) - 300 :][:400],
        )
