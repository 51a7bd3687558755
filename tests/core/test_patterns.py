"""The shared patterns every app uses: one error family, one permission check, one
form renderer and error summary, and a refusal no view caught never being a 500."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from core.exceptions import (
    DomainError,
    InvalidTransition,
    NotPermitted,
    ensure_status,
)
from core.forms import show_errors
from core.middleware import DomainErrorMiddleware
from core.permissions import require

pytestmark = pytest.mark.django_db


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", help_text="Kept in the record.")
    note = forms.CharField(label="Note", required=False)
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def test_a_refusal_about_a_field_is_shown_beside_it_and_keeps_its_words():
    form = ReasonForm(data={"reason": "x", "kind": "a"})
    assert form.is_valid()
    show_errors(form, DomainError("Give a longer reason.", field="reason"))
    show_errors(form, InvalidTransition("This appeal is already answered."))
    assert form.errors["reason"] == ["Give a longer reason."]
    assert form.non_field_errors() == ["This appeal is already answered."]
    assert str(NotPermitted("You may not do that.")) == "You may not do that."


def test_a_refusal_naming_a_field_the_form_lacks_goes_above_the_form():
    form = ReasonForm(data={"reason": "x", "kind": "a"})
    form.is_valid()
    show_errors(form, ValidationError({"account": ["That account is shut down."]}))
    assert form.non_field_errors() == ["That account is shut down."]
    show_errors(
        form,
        ValidationError({"facts": ["Too long."]}),
        aliases={"facts": "note"},
    )
    assert form.errors["note"] == ["Too long."]


def test_a_refusal_survives_a_deep_copy_with_its_field():
    error = NotPermitted("Only its managers may.", field="account")
    again = copy.deepcopy(error)
    assert type(again) is NotPermitted
    assert again.message_dict == {"account": ["Only its managers may."]}


class _Filing:
    from django.db.models import TextChoices

    class Status(TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ANSWERED = "answered", "Answered"

    status = "answered"

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def __str__(self) -> str:
        return "AP-2026-00001"


def test_the_status_guard_names_the_record_its_status_and_what_is_allowed():
    with pytest.raises(InvalidTransition) as refused:
        ensure_status(_Filing(), allowed=["submitted"], doing="acknowledged")
    assert str(refused.value) == (
        "AP-2026-00001 cannot be acknowledged: it is “Answered”, and only "
        "“Submitted” can be."
    )
    ensure_status(_Filing(), allowed=["answered"], doing="closed")


def test_require_refuses_without_the_permission_and_passes_with_it(make_staff):
    from django.contrib.auth.models import Permission

    user = make_staff()
    with pytest.raises(NotPermitted) as refused:
        require(user, "retention.add_legalhold", doing="place a legal hold")
    assert str(refused.value) == "You may not place a legal hold."
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="retention", codename="add_legalhold"
        )
    )
    user = type(user).objects.get(pk=user.pk)  # permissions are cached per object
    require(user, "retention.add_legalhold", doing="place a legal hold")
    user.is_active = False
    with pytest.raises(NotPermitted):
        require(user, "retention.add_legalhold", doing="place a legal hold")


def _raising(error: Exception):
    def view(request):
        raise error

    return view


def test_a_refusal_no_view_caught_is_a_403_or_a_400_page_never_a_500():
    request = RequestFactory().post("/x/")
    middleware = DomainErrorMiddleware(lambda r: HttpResponse())
    denied = middleware.process_exception(request, NotPermitted("No."))
    assert denied is not None and denied.status_code == 403
    refused = middleware.process_exception(
        request, InvalidTransition("AP-2026-00001 is already answered.")
    )
    assert refused is not None and refused.status_code == 400
    assert b"AP-2026-00001 is already answered." in refused.content
    assert middleware.process_exception(request, PermissionDenied()) is None
    assert middleware.process_exception(request, ValueError()) is None


def _render(template: str, **context) -> str:
    return Template("{% load forms %}" + template).render(Context(context))


def test_every_field_is_drawn_with_its_label_hint_error_and_optional_marker():
    form = ReasonForm(data={"note": "", "kind": ""})
    form.is_valid()
    html = _render("{{ form }}", form=form)
    # Required fields carry no marker; the optional one says so, once.
    assert '<label for="id_reason">Reason</label>' in html
    assert html.count("(optional)") == 1
    assert 'id="id_reason_helptext"' in html and 'id="id_reason_error"' in html
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in html
    assert 'aria-invalid="true"' in html
    # Radio buttons are a group with a legend.
    assert "<legend>Kind</legend>" in html


def test_the_error_summary_links_each_problem_to_its_field():
    form = ReasonForm(data={"note": "", "kind": ""})
    form.is_valid()
    form.add_error(None, "The account was shut down meanwhile.")
    html = _render("{% error_summary form %}", form=form)
    assert "There are 3 problems with what you sent" in html
    assert '<a href="#id_reason">Reason: This field is required.</a>' in html
    assert '<a href="#id_kind_0">Kind: This field is required.</a>' in html
    assert "<li>The account was shut down meanwhile.</li>" in html
    assert _render("{% error_summary form %}", form=ReasonForm()).strip() == ""


def test_each_role_holds_what_the_apps_declare(monkeypatch):
    import types

    from django.contrib.auth.models import Group

    from core import roles

    declared = types.ModuleType("retention.permissions")
    declared.ROLE_PERMISSIONS = {  # type: ignore[attr-defined]
        roles.CITY_ATTORNEY: {"retention.view_legalhold"}
    }
    monkeypatch.setitem(__import__("sys").modules, "retention.permissions", declared)
    roles.sync_role_permissions()
    attorney = Group.objects.get(name=roles.CITY_ATTORNEY)
    assert attorney.permissions.filter(
        content_type__app_label="retention", codename="view_legalhold"
    ).exists()


class ContactForm(forms.Form):
    # Give an email address or a postal address: neither alone is optional.
    conditional = ("email", "postal_address")

    email = forms.EmailField(label="Email", required=False)
    postal_address = forms.CharField(label="Postal address", required=False)
    phone = forms.CharField(label="Phone", required=False, max_length=30)


def test_a_field_needed_instead_of_another_is_not_marked_optional():
    html = _render("{{ form }}", form=ContactForm())
    assert '<label for="id_email">Email</label>' in html
    assert '<label for="id_postal_address">Postal address</label>' in html
    assert "Phone <span" in html and html.count("(optional)") == 1


def test_no_input_cuts_what_is_pasted_into_it():
    # A browser silently cuts pasted text at maxlength: the limit is
    # checked when the form is sent instead, and said in the hint.
    html = _render("{{ form }}", form=ContactForm())
    assert "maxlength" not in html
    form = ContactForm(data={"email": "a@example.org", "phone": "5" * 31})
    assert not form.is_valid()
    assert "at most 30 characters" in form.errors["phone"][0]


class LetterForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(
        label="Body",
        max_length=10_000,
        help_text="Sent as written.",
        widget=forms.Textarea,
    )
    note = forms.CharField(label="Note", max_length=500, widget=forms.Textarea)
    # A public form's honeypot: hidden by CSS and from assistive technology.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"aria-hidden": "true", "tabindex": "-1"}),
    )


def test_a_long_text_says_its_limit_in_its_hint():
    # Every form: a staff member pasting a long letter learns the limit before
    # sending, as a resident does (no browser cuts the text: no maxlength).
    html = _render("{{ form }}", form=LetterForm())
    assert (
        '<p class="hint" id="id_body_helptext">Sent as written. '
        "Up to 10,000 characters.</p>"
    ) in html
    # A text without a hint of its own gets one, which describes its input.
    assert '<p class="hint" id="id_note_helptext">Up to 500 characters.</p>' in html
    assert 'aria-describedby="id_note_helptext"' in html
    # A line of text is short: its limit is said only if it is passed.
    assert "Up to 200" not in html and "maxlength" not in html


def test_the_summary_never_links_to_a_field_hidden_from_assistive_technology():
    form = LetterForm(
        data={"subject": "", "body": "x", "note": "y", "website": "z" * 6}
    )
    form.is_valid()
    html = _render("{% error_summary form %}", form=form)
    assert "There is a problem with what you sent" in html
    assert '<a href="#id_subject">' in html and "id_website" not in html


def test_radio_buttons_are_a_row_each_with_the_button_before_its_label():
    form = ReasonForm(data={"reason": "r", "kind": ""})
    form.is_valid()
    html = _render("{{ form.kind.as_field_group }}", form=form)
    assert '<fieldset aria-describedby="id_kind_error">' in html
    assert (
        '<div class="choice"><input type="radio" name="kind" value="a" id="id_kind_0"'
        ' required aria-invalid="true">'
        ' <label for="id_kind_0" class="inline">A</label></div>'
    ) in html.replace("\n", "")


def test_no_code_tests_a_group_name():
    """Roles are groups holding permissions: code asks ``has_perm`` (``require``,
    ``staff_required(perm=...)``), never which group a person is in. Role names
    appear only where permissions are declared, in the demo and in migrations."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = (
        "config",
        "core",
        "accounts",
        "notices",
        "moderation",
        "appeals",
        "retention",
        "platforms",
        "datarequests",
        "transparency",
    )
    testing_a_group = re.compile(
        r"has_role|groups__name|groups\.filter\(name|"
        r"from core\.roles import [^\n]*(CITY_|SOCIAL_MEDIA|RECORDS_OFFICER)|"
        r"roles\.(CITY_ADMINISTRATOR|SOCIAL_MEDIA_MANAGER|RECORDS_OFFICER|CITY_ATTORNEY)"
    )
    allowed = ("permissions.py", "demo.py", "roles.py")
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for app in apps
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and path.name not in allowed
        for match in testing_a_group.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


def test_every_apps_object_rules_exist_in_a_fresh_process():
    """A management command, the worker and the web server start without
    importing the apps' permissions modules themselves: the rules declared there
    must still be there (``make run``'s demo seeding once failed without them)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import django, rules; django.setup(); "
        "print(all(rules.perm_exists(p) for p in "
        "('accounts.act_on_account', 'appeals.handle_filing', "
        "'appeals.answer_filing', 'moderation.add_removaldecision')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin"},
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
