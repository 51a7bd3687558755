"""The demo city's Data Practices requests."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from datarequests.models import DataRequest

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_subjects_request_with_records_of_three_apps_held():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    subject = DataRequest.objects.get(kind=DataRequest.Kind.DATA_SUBJECT)
    sources = set(subject.picked.values_list("source", flat=True))
    assert {"removal_decision", "appeal", "message"} <= sources
    assert DataRequest.objects.get(kind=DataRequest.Kind.PUBLIC).is_anonymous
