"""The public forms' protections (core.public_forms), proven on each form a
resident sends without signing in: the appeal (P22, N6), the legality challenge
(P23, N7) and the Data Practices request (P24). Every refusal is a polite page
that keeps what was typed where it can, never a filing and never a server error.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest

from appeals.models import Appeal, LegalityChallenge
from appeals.views.public import APPEAL_FORM, CHALLENGE_FORM
from datarequests.models import DataRequest
from datarequests.views import REQUEST_FORM
from tests.accounts.factories import CompliantAccountFactory
from tests.appeals.conftest import aged_stamp

pytestmark = pytest.mark.django_db


@dataclass
class Form:
    url: str
    data: dict[str, str]
    kept: str  # a text the resident typed, shown again when the form comes back
    noun: str  # "Your <noun> has not been sent"
    filed: Callable[[], int]
    body_max: int


def _appeal() -> Form:
    account: Any = CompliantAccountFactory()
    return Form(
        url="/appeals/appeal/",
        data={
            "account": str(account.pk),
            "comment_posted_on": "2026-11-20",
            "comment_text": "The council should fix Elm Street before new bike lanes.",
            "explanation": "My comment was an opinion about city spending.",
            "name": "Jordan Public",
            "email": "jordan@example.net",
            "reply_by": "email",
        },
        kept="My comment was an opinion about city spending.",
        noun="appeal",
        filed=Appeal.objects.count,
        body_max=APPEAL_FORM.body_max,
    )


def _challenge() -> Form:
    return Form(
        url="/appeals/challenge/",
        data={
            "section": "other",
            "basis": "The policy lets staff remove comments without notice.",
            "name": "Sam Critic",
            "email": "sam@example.net",
            "reply_by": "email",
        },
        kept="The policy lets staff remove comments without notice.",
        noun="challenge",
        filed=LegalityChallenge.objects.count,
        body_max=CHALLENGE_FORM.body_max,
    )


def _request() -> Form:
    return Form(
        url="/requests/new/",
        data={"kind": "public", "description": "The removal log of the Parks page."},
        kept="The removal log of the Parks page.",
        noun="request",
        filed=DataRequest.objects.count,
        body_max=REQUEST_FORM.body_max,
    )


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings: Any) -> None:
    """Each test counts submissions afresh (the cache outlives a test)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@pytest.fixture(params=[_appeal, _challenge, _request], ids=lambda m: m.__name__[1:])
def form(request: Any, city_profile: Any) -> Form:
    made: Form = request.param()
    made.data.update(website="", started=aged_stamp())
    return made


@pytest.fixture
def refusals_logged(caplog: Any) -> Any:
    caplog.set_level(logging.INFO, logger="core.public_forms")
    return caplog


def _logged(caplog: Any, form: Form, text: str) -> bool:
    """A line names what happened, the address and the form."""
    where = f"from 127.0.0.1 on {form.url}"
    return any(
        text in r.getMessage() and where in r.getMessage() for r in caplog.records
    )


def _stamp_of(html: str) -> str:
    found = re.search(r'name="started" value="([^"]+)"', html)
    assert found, "the form has no stamp"
    return found.group(1)


def _sent_back(response: Any, form: Form, status: int) -> str:
    """The form again, with what the resident typed and why it was not sent."""
    assert response.status_code == status
    html = response.content.decode()
    assert f"Your {form.noun} has not been sent" in html
    assert "Nothing you typed has been lost" in html
    assert form.kept in html
    assert form.filed() == 0
    return html


def test_a_filled_in_form_is_filed_and_leads_to_a_private_page(client, form):
    response = client.post(form.url, form.data)
    assert response.status_code == 302
    assert form.filed() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "max-age=0" in page["Cache-Control"] and page["Expires"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert page["X-Robots-Tag"] == "noindex, nofollow"


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    fieldset: dict[str, str] | None  # the fieldset the element is in, if any
    text: str = ""


class _Page(HTMLParser):
    """A page's elements that have an id, with their text; the links of its
    error summary, in order; every id an ``aria-describedby`` names."""

    VOID = frozenset({"input", "br", "meta", "link", "img", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, _Element] = {}
        self.summary_links: list[tuple[str, str]] = []
        self.described_by: list[str] = []
        self._open: list[tuple[str, dict[str, str]]] = []
        self._link: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        fieldsets = [a for t, a in self._open if t == "fieldset"]
        if "id" in found:
            self.by_id[found["id"]] = _Element(
                tag, found, fieldsets[-1] if fieldsets else None
            )
        self.described_by += found.get("aria-describedby", "").split()
        in_summary = any("error-summary" in a.get("class", "") for _, a in self._open)
        if tag == "a" and in_summary and found.get("href", "").startswith("#"):
            self._link = [found["href"][1:], ""]
        if tag not in self.VOID:
            self._open.append((tag, found))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link[0], self._link[1]))
            self._link = None
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, attrs in self._open:
            if "id" in attrs:
                self.by_id[attrs["id"]].text += data
        if self._link is not None:
            self._link[1] += data


def test_each_problem_is_linked_from_the_one_summary_to_its_field_and_error(
    client, form
):
    """The public forms are drawn by the one renderer (core.forms), with the one
    error summary: each problem links to its input, which is marked invalid and
    described by its error (the error of a group of radio buttons describes the
    group's fieldset). No description names an element the page lacks."""
    form.data["email"] = "not-an-email"
    form.data.pop("kind", None)  # the request form's radio buttons
    form.data.pop("reply_by", None)  # the appeal and challenge forms'
    response = client.post(form.url, form.data)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="error-summary"') == 1
    assert "There are 2 problems with what you sent" in html
    page = _Page(html)
    targets = [target for target, _ in page.summary_links]
    # In the order of the page: the request form asks what for, then who.
    if form.noun == "request":
        assert targets == ["id_kind_0", "id_email"]
    else:
        assert targets == ["id_email", "id_reply_by_0"]
    for target, text in page.summary_links:
        element = page.by_id[target]
        assert element.tag == "input"
        assert element.attrs.get("aria-invalid") == "true", target
        described = element.attrs.get("aria-describedby") or (
            element.fieldset or {}
        ).get("aria-describedby", "")
        errors = [page.by_id[i].text for i in described.split() if "_error" in i]
        # The link reads the field's label, then the error beside the field.
        assert errors, (target, described)
        assert text.endswith(errors[0].replace("Error:", "").strip()), (text, errors)
    for name in page.described_by:
        assert name in page.by_id, f"aria-describedby names no element: {name}"


def test_the_form_is_stamped_with_the_time_it_is_shown(client, form):
    html = client.get(form.url).content.decode()
    assert _stamp_of(html)
    assert 'class="public-form-trap" aria-hidden="true"' in html


def test_a_body_larger_than_the_form_makes_is_refused(client, form, refusals_logged):
    form.data["padding"] = "x" * (form.body_max + 1)
    response = client.post(form.url, form.data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "larger than this form accepts" in html
    assert "not accepted" in html and f'href="{form.url}"' in html
    assert form.filed() == 0
    assert _logged(refusals_logged, form, "refused: too_large")


def test_the_honeypot_is_refused_in_the_forms_words(client, form, refusals_logged):
    form.data["website"] = "http://spam.example"
    response = client.post(form.url, form.data)
    assert response.status_code == 400
    html = response.content.decode()
    who = "request" if form.noun == "request" else "submission"
    assert f"Your {who} looked automated, so it was not accepted." in html
    # Its text is a bot's: not shown again; the page offers the form anew.
    assert form.kept not in html and f'href="{form.url}"' in html
    assert form.filed() == 0
    assert _logged(refusals_logged, form, "refused: honeypot")


def test_the_flood_guard_sends_the_form_back_to_send_later(
    client, form, settings, refusals_logged
):
    settings.APPEALS_POST_RATE = "2/h"
    for _ in range(2):
        client.post(form.url, {"started": aged_stamp()})
    html = _sent_back(client.post(form.url, form.data), form, 429)
    assert "many submissions from your connection" in html
    assert "send it again later" in html
    assert _logged(refusals_logged, form, "sent back: flood")


def test_a_form_sent_too_fast_comes_back_with_its_text(client, form, refusals_logged):
    form.data["started"] = aged_stamp(seconds=0.5)
    html = _sent_back(client.post(form.url, form.data), form, 400)
    assert "faster than a person could fill it in" in html
    assert _logged(refusals_logged, form, "sent back: too_fast")


@pytest.mark.parametrize("stamp", ["", "forged"])
def test_a_missing_or_forged_stamp_comes_back_with_its_text_and_a_new_stamp(
    client, form, stamp, settings, refusals_logged
):
    form.data["started"] = stamp
    html = _sent_back(client.post(form.url, form.data), form, 400)
    assert "could not be checked" in html
    assert _logged(refusals_logged, form, "sent back: invalid")
    # The new stamp is a good one: the form, sent again with it, is filed.
    settings.APPEALS_MIN_FILL_SECONDS = 0
    again = client.post(form.url, form.data | {"started": _stamp_of(html)})
    assert again.status_code == 302
    assert form.filed() == 1


def test_a_form_left_open_overnight_comes_back_fresh_to_check_and_send(
    client, form, refusals_logged
):
    form.data["started"] = aged_stamp(seconds=2 * 24 * 3600)
    html = _sent_back(client.post(form.url, form.data), form, 200)
    assert "open for more than a day" in html
    assert _stamp_of(html) != form.data["started"]
    assert _logged(refusals_logged, form, "sent back: expired")


@pytest.mark.parametrize(
    "stamp", ["forged", aged_stamp(seconds=2 * 24 * 3600)], ids=["forged", "expired"]
)
def test_a_form_with_errors_and_an_unusable_stamp_gets_its_errors_and_a_new_stamp(
    client, form, stamp
):
    """The Data Practices form kept the old stamp: corrected, it was then refused
    for the stamp. Every form now gets a new one with its errors."""
    form.data.update(started=stamp, name="", email="")
    form.data.pop("kind", None)
    form.data.pop("reply_by", None)
    response = client.post(form.url, form.data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert form.kept in html
    assert "could not be checked" not in html and "more than a day" not in html
    assert _stamp_of(html) != stamp
    assert form.filed() == 0


def test_the_limit_per_address_sends_the_form_back_with_when_to_retry(
    client, form, settings, refusals_logged
):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    assert client.post(form.url, form.data).status_code == 302
    refused = client.post(form.url, form.data)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.status_code == 429
    html = refused.content.decode()
    assert f"Your {form.noun} has not been sent" in html
    assert form.kept in html
    # The appeal and challenge forms share one limit; each form names what it
    # counts, how many and over what window, and when to send again.
    counted = "request" if form.noun == "request" else "appeal or challenge"
    assert f"You have sent 1 {counted} from this connection in the last hour" in html
    assert "You can send it again after <strong>" in html
    assert form.filed() == 1
    assert _logged(refusals_logged, form, "refused: rate")
