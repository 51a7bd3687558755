"""Item 3: every role against every admin changelist, change view, add view and
action, and every staff page, allowed and refused.

The admin models come from ``admin.site._registry`` and the staff pages from the
URLconf (every view wrapped in ``core.auth.staff_required``), so a page or model
added later fails here until its row is added to the tables below: the tables are
the policy's answer to "who may do this", kept apart from the code that enforces
it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Account, User
from accounts.selectors import account_list_managed_by
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db

A = "clerk"  # City Administrator
M = "manager"  # Social Media Manager (manages facebook, instagram, x, nextdoor)
R = "records"  # Records Officer
T = "attorney"  # City Attorney
N = "norole"  # staff with no role
EVERY_ROLE = frozenset({A, M, R, T})
PEOPLE = [A, M, R, T, N]

# Who sees each admin changelist and change view.
ADMIN_VIEW: dict[str, frozenset[str]] = {
    "auth.Group": frozenset(),  # superusers only
    "core.AuditEvent": frozenset({A, R}),
    "core.Holiday": frozenset({A}),
    # Every email sent or waiting (core.outbox): names and addresses of residents.
    "core.OutboxMessage": frozenset({A}),
    "axes.AccessAttempt": frozenset({A}),
    "axes.AccessLog": frozenset({A}),
    "axes.AccessFailureLog": frozenset({A}),
    "otp_totp.TOTPDevice": frozenset({A}),
    "otp_static.StaticDevice": frozenset({A}),
    "accounts.User": frozenset({A}),
    "accounts.CityProfile": frozenset({A}),
    "accounts.Department": frozenset({A}),
    "accounts.Platform": frozenset({A, M, R}),
    "accounts.Account": EVERY_ROLE,
    "accounts.AccountRequest": frozenset({A, R}),
    "accounts.ManagerAccess": frozenset({A, M, R}),
    "accounts.Offboarding": frozenset({A}),
    "notices.DocumentVersion": EVERY_ROLE,
    "moderation.RemovalCategory": EVERY_ROLE,
    "moderation.RemovalDecision": EVERY_ROLE,
    "appeals.Appeal": EVERY_ROLE,
    "appeals.LegalityChallenge": frozenset({A, R, T}),
    # Privileged attorney consultation: the City Attorney and City Administrator.
    "appeals.AttorneyConsultation": frozenset({A, T}),
    "appeals.Correspondence": EVERY_ROLE,
    "appeals.ReminderRun": frozenset({A}),
    "retention.Message": frozenset({A, M, R}),
    "retention.RetentionSchedule": frozenset({A, R}),
    "retention.LegalHold": frozenset({A, R}),
    "retention.DisasterPeriod": frozenset({A, R}),
    "retention.PurgeRun": frozenset({A, R}),
    "retention.DestructionRecord": frozenset({A, R}),
    "retention.DestroyedItem": frozenset({R}),
    # Data Practices requests.
    "datarequests.DataRequest": frozenset({A, R, T}),
    "datarequests.ReleasePackage": frozenset({A, R}),
    # Privileged attorney notes: the City Attorney and City Administrator.
    "datarequests.RequestConsultation": frozenset({A, T}),
}
# Who may add through the admin.
ADMIN_ADD: dict[str, frozenset[str]] = {
    "core.Holiday": frozenset({A}),
    "accounts.User": frozenset({A}),
    "accounts.Department": frozenset({A}),
    "accounts.Platform": frozenset({A}),
    "accounts.Account": frozenset({A}),
    "accounts.ManagerAccess": frozenset({A}),
    "retention.Message": frozenset({A, M}),
}
# Admins where a Social Media Manager sees only the rows of accounts they manage.
OWN_ACCOUNTS_ONLY = {
    "accounts.Account": "",
    "moderation.RemovalDecision": "account",
    "retention.Message": "account",
}
# Admin actions each role is offered ("delete_selected" included).
ADMIN_ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    "core.Holiday": {"delete_selected": frozenset({A})},
    "core.OutboxMessage": {"try_again": frozenset({A})},
    "axes.AccessAttempt": {"unlock": frozenset({A})},
    "otp_totp.TOTPDevice": {"delete_selected": frozenset({A})},
    "otp_static.StaticDevice": {"delete_selected": frozenset({A})},
    "accounts.Account": {
        "suspend": frozenset({A}),
        "reactivate": frozenset({A}),
        "shut_down": frozenset({A}),
        # P15: managers confirm the checklist on their own accounts.
        "verify_checklist": frozenset({A, M}),
    },
    # P12: only the approving authority approves; never the Records Officer.
    "accounts.AccountRequest": {"approve": frozenset({A}), "deny": frozenset({A})},
    "accounts.ManagerAccess": {
        "revoke": frozenset({A}),
        "recertify": frozenset({A}),
        "offboard": frozenset({A}),
    },
    "retention.DestructionRecord": {"export_csv": frozenset({A, R})},
}

# Staff pages (URL name -> roles allowed).
STAFF_PAGES: dict[str, frozenset[str]] = {
    "core:dashboard": EVERY_ROLE | {N},
    # Trying an email again: the staff who handle it (the demo's first email is
    # an appeal's receipt: the handlers of appeals).
    "core:outbox-retry": frozenset({A, M}),
    # Every member of staff reads the emails about the work they handle (a list
    # that may be empty); one email only by those who handle it (the demo's
    # first: an appeal's receipt).
    "core:email-list": EVERY_ROLE | {N},
    "core:email-detail": frozenset({A, M}),
    # P12: any member of staff may ask for a new account.
    "accounts:request-list": EVERY_ROLE | {N},
    "accounts:request-create": EVERY_ROLE | {N},
    # A request is seen by its requester, the approving authority and records
    # (the demo request is submitted: only its requester, not in this table,
    # submits; the City Administrator may withdraw it on the city's behalf).
    "accounts:request-detail": frozenset({A, R}),
    "accounts:request-edit": frozenset({A, R}),
    "accounts:request-submit": frozenset(),
    "accounts:request-withdraw": frozenset({A}),
    "accounts:request-approve": frozenset({A}),
    "accounts:request-deny": frozenset({A}),
    "accounts:offboarding-list": frozenset({A}),
    "accounts:offboarding-detail": frozenset({A}),
    "accounts:offboarding-step-complete": frozenset({A}),
    "accounts:offboarding-hand-over": frozenset({A}),
    # P16-P18: the City Administrator records and closes incidents; the Records
    # Officer reads them.
    "accounts:incident-list": frozenset({A, R}),
    "accounts:incident-detail": frozenset({A, R}),
    "accounts:incident-close": frozenset({A}),
    "moderation:removal-new": frozenset({A, M}),
    "moderation:removal-detail": EVERY_ROLE,
    "moderation:removal-notify": frozenset({A, M}),
    "moderation:removal-amend": frozenset({A, M}),
    "moderation:removal-evidence-add": frozenset({A, M}),
    "moderation:removal-evidence": EVERY_ROLE,
    "moderation:removal-restore": frozenset({A, M}),
    # P22: the account's managers (or the City Administrator) confirm a
    # comment is back on the platform.
    "moderation:restoration-complete": frozenset({A, M}),
    "appeals:staff-list": EVERY_ROLE,
    "appeals:staff-new": frozenset({A, M}),  # kind=appeal: entered from a letter
    "appeals:staff-appeal": EVERY_ROLE,
    "appeals:staff-legalitychallenge": frozenset({A, R, T}),
    "appeals:staff-letter": EVERY_ROLE,
    # Letters to mail (P22, P23): the staff who handle appeals or challenges
    # print and mark them; whoever reads the filing may print one.
    "appeals:letters": frozenset({A, M, T}),
    "appeals:letter-print": EVERY_ROLE,
    "retention:messages": frozenset({A, M}),
    "retention:messages-mark-read": frozenset({A, M}),
    "retention:messages-mark-unread": frozenset({A, M}),
    "retention:message-detail": frozenset({A, M}),
    "retention:follow-ups": frozenset({A, M}),
    # R3: the Records Officer places and releases legal holds.
    "retention:holds": frozenset({R}),
    "retention:hold-release": frozenset({R}),
    "retention:disasters": frozenset({A, R}),
    "retention:disaster-end": frozenset({A}),
    "retention:purge": frozenset({A, R}),
    # R4: the dry run record by record; running by hand, after confirming: R.
    "retention:purge-records": frozenset({A, R}),
    "retention:purge-run": frozenset({R}),
    "retention:destruction-log-csv": frozenset({R}),
    "notices:review": frozenset({A}),
    "notices:draft": frozenset({A}),
    "notices:draft-prepare": frozenset({A}),
    "notices:draft-discard": frozenset({A}),
    "notices:publish": frozenset({A}),
    # P16-P18: everyone acknowledges the policy for themselves; the City
    # Administrator and the Records Officer see who has.
    "notices:policy-acknowledge": EVERY_ROLE,
    "notices:policy-acknowledgments": frozenset({A, R}),
    # The public notice link and QR code of an account: any member of staff.
    "notices:account-link": EVERY_ROLE | {N},
    "notices:account-qr": EVERY_ROLE | {N},
    # what the platforms send. Connections: whoever works with the
    # accounts (managers their own); setting up polling: the City Administrator.
    "platforms:connections": frozenset({A, M, R}),
    "platforms:connection": frozenset({A, M, R}),
    "platforms:connection-mastodon": frozenset({A}),
    # Deliveries for ids on no account hold residents' words: administrator and
    # records; processing one again: the administrator, who sets the ids.
    "platforms:deliveries": frozenset({A, R}),
    "platforms:delivery-retry": frozenset({A}),
    # Draft removals: seen by every role, completed or set aside by the
    # account's managers and the City Administrator (P11, P21).
    "platforms:drafts": EVERY_ROLE,
    "platforms:draft": EVERY_ROLE,
    "platforms:draft-complete": frozenset({A, M}),
    "platforms:draft-dismiss": frozenset({A, M}),
    "platforms:comment": EVERY_ROLE,
    # The Records Officer handles Data Practices requests; the City
    # Administrator and the City Attorney read them; managers may be asked to
    # search the accounts they manage.
    "datarequests:staff-list": frozenset({A, R, T}),
    "datarequests:staff-new": frozenset({R}),
    "datarequests:staff-search": frozenset({M, R}),
    "datarequests:staff-request": frozenset({A, R, T}),
    "datarequests:staff-step": frozenset({A, R, T}),
    "datarequests:staff-pick": frozenset({R}),
    "datarequests:staff-package": frozenset({A, R}),
    # The transparency figures with names, and freezing the yearly report: the
    # City Administrator.
    "transparency:staff": frozenset({A}),
    "transparency:freeze": frozenset({A}),
}
# Allowed roles may find nothing here in the demo (no letter uploaded, no draft
# prepared): 404 counts as allowed for them; refused roles must still get 403.
EMPTY_IN_DEMO = {"appeals:staff-letter", "notices:draft"}
# Pages anyone may open (residents' forms, public notices, sign-in).
PUBLIC_PAGES = {
    "healthz",
    "accounts:public-list",
    "appeals:appeal-new",
    "appeals:challenge-new",
    "appeals:filed",
    "appeals:status",
    "notices:home",
    "notices:notice",
    "notices:notice-version",
    "notices:account-notice",
    "notices:policy",
    "notices:policy-version",
    "notices:versions",
    "two_factor:login",
    "two_factor:setup",
    "two_factor:qr",
    "two_factor:setup_complete",
    "two_factor:backup_tokens",
    "two_factor:profile",
    "two_factor:disable",
    "two_factor:logout",
    # Meta's webhook: its deliveries are signed (X-Hub-Signature-256).
    "platforms:meta-webhook",
    "datarequests:request-new",
    "datarequests:filed",
    "datarequests:status",
    # The public figures, open data and yearly reports: no personal data.
    "transparency:index",
    "transparency:data-json",
    "transparency:data-csv",
    "transparency:report",
    "transparency:report-json",
}


def _walk(patterns: list[Any], namespace: str = "") -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(
                pattern.url_patterns,
                f"{namespace}:{ns}".strip(":") if ns else namespace,
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (
                (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                pattern,
            )


def _site_urls() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
    }


def test_every_page_is_either_public_or_a_staff_page_in_the_table():
    unknown, unprotected = [], []
    for name, pattern in _site_urls().items():
        staff = getattr(pattern.callback, "staff_required", False)
        if staff and name not in STAFF_PAGES:
            unknown.append(name)
        if not staff and name not in PUBLIC_PAGES:
            unprotected.append(name)
    assert not unknown, f"add these staff pages to STAFF_PAGES: {unknown}"
    assert not unprotected, (
        f"not staff_required and not listed as public: {unprotected}"
    )


def test_every_admin_model_is_in_the_table():
    labels = {model._meta.label for model in admin.site._registry}
    assert labels - set(ADMIN_VIEW) == set(), "add these models to ADMIN_VIEW"


def _object(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)._default_manager.order_by("pk").first()


def _kwargs_for(name: str, pattern: URLPattern) -> tuple[dict[str, Any], bool]:
    """Return URL kwargs for ``name`` from the demo data, and whether every value
    is a real record (a missing record is given a pk that does not exist)."""
    from accounts.models import AccountRequest, Incident, Offboarding
    from appeals.models import Appeal, Correspondence, LegalityChallenge
    from core.models import OutboxMessage
    from datarequests.models import DataRequest, ReleasePackage
    from moderation.models import RemovalDecision, RemovalEvidence
    from platforms.models import CapturedComment, DraftRemoval, MetaDelivery
    from retention.models import DisasterPeriod, LegalHold, Message

    facebook = Account.objects.filter(slug="facebook").first()
    sources: dict[str, type[Any]] = {
        "core:outbox": OutboxMessage,
        "core:email": OutboxMessage,
        "accounts:request": AccountRequest,
        "accounts:offboarding": Offboarding,
        "accounts:incident": Incident,
        "moderation:removal": RemovalDecision,
        "appeals:staff-legalitychallenge": LegalityChallenge,
        "appeals:staff": Appeal,
        "retention:message": Message,
        "retention:hold": LegalHold,
        "retention:disaster": DisasterPeriod,
        "platforms:draft": DraftRemoval,
        "platforms:comment": CapturedComment,
        "platforms:delivery": MetaDelivery,
        "datarequests:staff-package": ReleasePackage,
        "datarequests:staff": DataRequest,
    }
    kwargs: dict[str, Any] = {}
    real = True
    params = (
        pattern.pattern.converters.keys()
        if hasattr(pattern.pattern, "converters")
        else []
    )
    params = list(params) or list(pattern.pattern.regex.groupindex)
    for param in params:
        value: Any = None
        if param == "kind":
            value = "appeal" if name.startswith("appeals:") else "notice"
        elif param == "pk" and name.startswith(
            ("notices:account", "platforms:connection")
        ):
            value = facebook.pk if facebook else None
        elif param == "pk" and name == "appeals:letter-print":
            mailed = Correspondence.objects.filter(delivery="mail").first()
            value = mailed.pk if mailed else None
        elif param == "pk" and name.startswith("moderation:"):
            record = RemovalDecision.objects.filter(account=facebook).first()
            value = record.pk if record and facebook else None
        elif param == "pk":
            for prefix, model in sources.items():
                if name.startswith(prefix):
                    record = model.objects.order_by("pk").first()
                    value = record.pk if record else None
                    break
        elif param == "evidence_pk":
            evidence = RemovalEvidence.objects.first()
            value = evidence.pk if evidence else None
        elif param == "step":
            value = 1
        elif param == "token":
            value = "x" * 24
        elif param == "provider":
            value = "accounts"
        if value is None:
            value, real = 999999, False
        kwargs[param] = value
    return kwargs, real


@pytest.fixture
def demo(make_staff):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    people[N] = make_staff(username=N)
    for slug in ("facebook", "parks-facebook"):
        MessageFactory(account=Account.objects.get(slug=slug))
    return people


@pytest.mark.parametrize("person", PEOPLE)
def test_role_matrix(person, demo, login_as, rf):
    """One role against every admin page and action, then every staff page (one
    test per role, so the demo city is loaded once for both)."""
    client = login_as(demo[person])
    problems = _admin_problems(person, demo[person], client, rf)
    problems += _staff_page_problems(person, client)
    assert not problems, f"{person}:\n" + "\n".join(problems)


def _admin_problems(person: str, user: Any, client: Any, rf: Any) -> list[str]:
    request = rf.get("/admin/")
    request.user = user
    problems = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        allowed = person in ADMIN_VIEW.get(label, frozenset())
        status = client.get(base).status_code
        if status != (200 if allowed else 403):
            problems.append(
                f"{label} changelist: {status}, expected {'200' if allowed else '403'}"
            )
        can_add = person in ADMIN_ADD.get(label, frozenset())
        status = client.get(f"{base}add/").status_code
        if (status == 200) != can_add:
            expected_add = "200" if can_add else "refused"
            problems.append(f"{label} add view: {status}, expected {expected_add}")
        offered = set(model_admin.get_actions(request)) if allowed else set()
        expected = {
            action
            for action, who in ADMIN_ACTIONS.get(label, {}).items()
            if person in who
        }
        if offered != expected:
            problems.append(
                f"{label} actions: {sorted(offered)}, expected {sorted(expected)}"
            )
        scoped = person == M and label in OWN_ACCOUNTS_ONLY
        path = OWN_ACCOUNTS_ONLY.get(label, "")
        managed = (
            set(account_list_managed_by(user=user).values_list("pk", flat=True))
            if scoped
            else set()
        )
        samples = []
        if scoped:
            rows = model._default_manager.all()
            mine = rows.filter(**{f"{path}__in" if path else "pk__in": managed}).first()
            theirs = rows.exclude(
                **{f"{path}__in" if path else "pk__in": managed}
            ).first()
            samples = [(mine, True), (theirs, False)]
            visible = model_admin.get_queryset(request)
            leaked = visible.exclude(**{f"{path}__in" if path else "pk__in": managed})
            if leaked.exists():
                problems.append(
                    f"{label} changelist shows other accounts' rows to a manager"
                )
        else:
            samples = [(_object(label), allowed)]
        for obj, may_see in samples:
            if obj is None:
                continue
            # An admin may hand its change view to a staff page (removals do):
            # follow it and judge where the person ends up.
            response = client.get(f"{base}{obj.pk}/change/", follow=True)
            path = response.request["PATH_INFO"]
            seen = response.status_code == 200 and path != "/admin/"
            if seen != may_see:
                problems.append(
                    f"{label} change view of #{obj.pk}: {response.status_code} at "
                    f"{path}, expected {'shown' if may_see else 'refused'}"
                )
    return problems


def _staff_page_problems(person: str, client: Any) -> list[str]:
    problems = []
    for name, pattern in _site_urls().items():
        if not getattr(pattern.callback, "staff_required", False):
            continue
        kwargs, real = _kwargs_for(name, pattern)
        url = reverse(name, kwargs=kwargs)
        allowed = person in STAFF_PAGES.get(name, frozenset())
        response = client.get(url)
        status = response.status_code
        if status == 405:  # POST-only: refused roles must be refused on POST too
            response = client.post(url, {})
            status = response.status_code
        signin = status == 302 and response["Location"].startswith("/signin/")
        if allowed:
            ok = status in (200, 302, 400, 405) and not signin
            ok = ok or (status == 404 and (not real or name in EMPTY_IN_DEMO))
        else:
            ok = status in (403, 404)
        if not ok:
            expected_page = "allowed" if allowed else "refused"
            problems.append(f"{name} {url}: {status}, expected {expected_page}")
    return problems


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_page(client):
    for name, pattern in _site_urls().items():
        if not getattr(pattern.callback, "staff_required", False):
            continue
        kwargs, _ = _kwargs_for(name, pattern)
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith("/signin/"), name


# --- Object-level rules (accounts.permissions) ---------------------------------------


def test_object_level_rules(demo, login_as):
    """P11: a manager acts only on the accounts they manage; the oversight roles
    see every account's records; privileged notes for the attorney and
    administrator; the Records Officer holds but never approves."""
    manager, parks, records = demo[M], User.objects.get(username="parks"), demo[R]
    facebook = Account.objects.get(slug="facebook")
    parks_facebook = Account.objects.get(slug="parks-facebook")
    assert manager.has_perm("accounts.act_on_account", facebook)
    assert not manager.has_perm("accounts.act_on_account", parks_facebook)
    assert parks.has_perm("accounts.act_on_account", parks_facebook)
    assert not parks.has_perm("accounts.see_account", facebook)
    assert records.has_perm("accounts.see_account", facebook)
    assert not records.has_perm("accounts.act_on_account", facebook)
    assert demo[A].has_perm("accounts.act_on_account", parks_facebook)
    for person in (A, R, T):
        assert demo[person].has_perm("accounts.see_account", parks_facebook), person

    for person, allowed in ((A, True), (T, True), (M, False), (R, False), (N, False)):
        assert demo[person].has_perm("appeals.view_attorneyconsultation") is allowed, (
            person
        )

    assert records.has_perm("retention.add_legalhold")
    assert not records.has_perm("accounts.decide_accountrequest")
    assert demo[A].has_perm("accounts.decide_accountrequest")
    assert not demo[A].has_perm("retention.add_legalhold")

    # In the admin, a manager sees and enters only their accounts' messages.
    client = login_as(parks)
    html = client.get("/admin/retention/message/").content.decode()
    for theirs in parks_facebook.messages.all():
        assert f"/admin/retention/message/{theirs.pk}/change/" in html
    for other in facebook.messages.all():
        assert f"/admin/retention/message/{other.pk}/change/" not in html
    assert client.get(f"/admin/retention/message/{other.pk}/change/").status_code == 302
    form = client.get("/admin/retention/message/add/").context["adminform"].form
    assert list(form.fields["account"].queryset) == [parks_facebook]


def _given(user, *perms):
    """``user`` again (permissions are cached per object), holding ``perms``
    directly, not through a role."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)


def test_a_permission_given_to_a_person_without_a_role_works(
    login_as, make_staff, city_profile
):
    """Roles are groups holding permissions, never names tested in code: a
    designee given the approving authority's permission directly (P12) approves."""
    from accounts.models import AccountRequest
    from tests.accounts.factories import SubmittedAccountRequestFactory

    designee = make_staff(username="designee")
    request = SubmittedAccountRequestFactory()
    url = reverse("accounts:request-approve", args=[request.pk])
    assert login_as(designee).post(url, {"reason": "Fine."}).status_code == 403
    designee = _given(designee, "accounts.decide_accountrequest")
    response = login_as(designee).post(url, {"reason": "Sustainable."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.APPROVED
    assert request.decided_by == designee


def test_oversight_given_to_a_person_without_a_role_shows_every_account(
    make_staff, city_profile
):
    from accounts.selectors import account_list_visible_to
    from tests.accounts.factories import CompliantAccountFactory, ManagerAccessFactory

    accounts = CompliantAccountFactory.create_batch(2)
    auditor = make_staff(username="auditor")
    ManagerAccessFactory(account=accounts[0], manager=auditor)
    assert list(account_list_visible_to(user=auditor)) == [accounts[0]]
    auditor = _given(auditor, "accounts.view_every_account")
    assert set(account_list_visible_to(user=auditor)) == set(accounts)
    assert auditor.has_perm("accounts.see_account", accounts[1])
    assert not auditor.has_perm("accounts.act_on_account", accounts[1])
