"""Item 4: one audit mechanism (core.audit) records who, when, from which address,
what changed, before and after, for admin edits, deletes, bulk actions and bulk
updates; every write path in the apps is covered. (Chain and append-only proofs:
tests/core/test_audit.py; the purge's redaction: the retention tests.)"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from core import roles
from core.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from core.models import AuditEvent, Holiday

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "moderation", "appeals", "retention", "notices")


@pytest.fixture
def holiday():
    return Holiday.objects.create(date=datetime.date(2027, 7, 4), name="Independence")


def test_admin_edit_records_who_when_where_and_before_after(
    login_as, city_admin, holiday, time_machine
):
    time_machine.move_to("2027-06-01 10:00:00+00:00", tick=False)
    response = login_as(city_admin).post(
        f"/admin/core/holiday/{holiday.pk}/change/",
        {"date": "2027-07-05", "name": "Independence Day (observed)"},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="core.holiday.changed")
    assert event.actor == city_admin
    assert event.ip_address == "203.0.113.5"
    assert event.occurred_at.isoformat() == "2027-06-01T10:00:00+00:00"
    assert event.data["changes"] == {
        "date": ["2027-07-04", "2027-07-05"],
        "name": ["Independence", "Independence Day (observed)"],
    }
    assert event.target_id == str(holiday.pk)


def test_admin_address_behind_a_proxy_is_the_real_client(
    login_as, city_admin, holiday, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    login_as(city_admin).post(
        f"/admin/core/holiday/{holiday.pk}/change/",
        {"date": "2027-07-04", "name": "Fourth of July"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.20",
    )
    assert AuditEvent.objects.get().ip_address == "198.51.100.20"


def test_admin_delete_is_recorded_with_what_was_deleted(login_as, city_admin, holiday):
    response = login_as(city_admin).post(
        f"/admin/core/holiday/{holiday.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="core.holiday.deleted")
    assert event.actor == city_admin
    assert event.data["values"]["name"] == "Independence"


def test_bulk_delete_action_records_every_row(login_as, city_admin):
    days = [
        Holiday.objects.create(date=datetime.date(2027, 1, n), name=f"Day {n}")
        for n in (1, 2, 3)
    ]
    response = login_as(city_admin).post(
        "/admin/core/holiday/",
        {
            "action": "delete_selected",
            "_selected_action": [d.pk for d in days],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Holiday.objects.exists()
    events = AuditEvent.objects.filter(action="core.holiday.deleted")
    assert sorted(e.target_id for e in events) == sorted(str(d.pk) for d in days)


def test_role_grant_in_the_admin_is_recorded(login_as, make_staff):
    superuser = make_staff(is_superuser=True)
    clerk = make_staff(username="newclerk", first_name="Ada", last_name="Berg")
    client = login_as(superuser)
    group = Group.objects.get(name=roles.CITY_ADMINISTRATOR)
    data = {
        "username": "newclerk",
        "first_name": "Ada",
        "last_name": "Berg",
        "email": "ada@city.example.gov",
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2027-01-02",
        "date_joined_1": "09:00:00",
        "job_title": "",
        "department": "",
    }
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="accounts.user.changed")
    assert event.actor == superuser
    assert event.data["changes"]["groups"] == [[], [group.pk]]


# --- Every write path is audited -----------------------------------------------------

BULK_WRITES = {"update", "bulk_update", "bulk_create", "delete"}
AUDIT_CALLS = {"record_event", "redact_personal"}
# Functions whose bulk write is audited by their only caller, in the same
# transaction: (file, function) -> the auditing caller.
AUDITED_BY_CALLER = {
    ("retention/series.py", "destroy_messages"): "retention.purge redacts and logs",
    # A pending file deletion is written in the destroying service's transaction,
    # which audits and logs the destruction (removal_redact, the purge's R4 log).
    ("core/files.py", "file_delete_after_commit"): "the destroying service audits",
    # Deletes the files of destructions already audited and logged, then their
    # queue rows: a side effect after commit, like sending a logged email.
    ("core/files.py", "file_deletions_run"): "the destruction it finishes is audited",
}


def _top_level_functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (n for n in node.body if isinstance(n, ast.FunctionDef))


def _writes_and_audits(fn: ast.FunctionDef) -> tuple[list[str], bool]:
    writes, audited = [], False
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name in AUDIT_CALLS or (name or "").startswith("redact"):
            audited = True
        if isinstance(node.func, ast.Attribute) and name in BULK_WRITES:
            receiver = ast.unparse(node.func.value)
            if any(k in receiver for k in ("objects", "filter(", "_set", "exclude(")):
                writes.append(f"line {node.lineno}: {receiver}.{name}()")
    return writes, audited


def test_every_bulk_write_in_the_apps_records_an_audit_event():
    """A queryset update/delete/bulk_create never calls save(): the function that
    does one must write the audit event itself."""
    problems = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if "/migrations/" in rel or rel.endswith(("demo.py", "models.py")):
                continue
            tree = ast.parse(path.read_text())
            for fn in _top_level_functions(tree):
                writes, audited = _writes_and_audits(fn)
                if writes and not audited and (rel, fn.name) not in AUDITED_BY_CALLER:
                    problems.append(f"{rel}: {fn.name}: {', '.join(writes)}")
    assert not problems, "\n".join(problems)


def test_every_admin_that_can_write_is_audited(rf, make_staff):
    """An admin either writes through AuditedAdminMixin, routes saves and deletes
    through its own code (services that audit), or cannot write at all."""
    request = rf.get("/admin/")
    request.user = make_staff(is_superuser=True)
    problems = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS and model._meta.app_label not in (
            "otp_totp",
            "otp_static",
            "axes",
        ):
            continue
        can_write = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if not can_write or isinstance(
            model_admin, (AuditedAdminMixin, ReadOnlyAdminMixin)
        ):
            continue
        own = type(model_admin).__dict__
        overrides = {"save_model", "delete_model", "delete_queryset"} & set(own)
        writes = {
            "save_model": model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request),
            "delete_model": model_admin.has_delete_permission(request),
            "delete_queryset": model_admin.has_delete_permission(request),
        }
        missing = [
            name for name, needed in writes.items() if needed and name not in overrides
        ]
        if missing:
            problems.append(
                f"{model._meta.label}: {type(model_admin).__name__} {missing}"
            )
    assert not problems, "\n".join(problems)
