"""The protections of the forms residents send without signing in: the appeal and
legality-challenge forms (P22, P23, N6, N7) and the Data Practices request form
(P24). One mechanism, in the order it checks a POST:

1. **Body size.** A body larger than any filled-in form makes is refused before
   Django parses it (a page saying so, 400).
2. **Flood guard.** Every POST counts toward ``APPEALS_POST_RATE`` in the cache
   (``core.limits``); over it, the form comes back with everything typed (429).
3. **Honeypot.** A field people never see (``website``); filled in, the
   submission is a bot's and is refused (a page saying so, 400).
4. **Answers.** A form with errors comes back with them (200), whatever its
   stamp; a stamp that can no longer be used is replaced, so the corrected form
   is not refused for it next.
5. **Fill time.** The form carries the signed time it was shown (``started``): a
   form sent faster than ``APPEALS_MIN_FILL_SECONDS`` (400) or with a stamp that
   is missing or forged (400, a new stamp) comes back with everything typed; a
   form left open more than a day comes back with a new stamp (200), to check
   and send again.
6. **Filings per address.** ``APPEALS_SUBMIT_RATE`` filings of the form's kind
   (their received audit events) per address (``core.limits``); over it, the
   form comes back with everything typed and the limit (429, ``Retry-After``).

Every refusal is a polite page, never a server error, and is logged with the
client address and the form's path. No third-party CAPTCHA. Each form passes
its own wording where it differs from :data:`REFUSALS`.

A view hands its form, the service that files it and the page to go to after
to :meth:`PublicForm.handle`: the empty form on GET, the checks above on POST,
the service's errors on the form, then the filing's private status page.

A form sent back is drawn like every form (``core.forms``: the one renderer and
the one error summary); why it was not sent is said beside that summary by
``{% include "core/_public_form_refusal.html" %}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core import limits
from core.forms import show_errors
from core.net import client_ip

logger = logging.getLogger(__name__)

FORM_SALT = "appeals.public-form"  # unchanged: forms open at a deploy still verify
FORM_MAX_AGE = 24 * 60 * 60  # a form left open for more than a day is refreshed

#: Why a submission was refused or sent back, in a resident's words. A form
#: passes its own where they differ. The filings limit ("rate") names how many
#: of the form's filings (:attr:`PublicForm.filings`) over what window.
REFUSALS: Mapping[str, str] = {
    "too_large": "Your submission is larger than this form accepts.",
    "honeypot": "Your submission looked automated, so it was not accepted.",
    "too_fast": "The form was sent faster than a person could fill it in.",
    "invalid": "The form could not be checked: it may have been changed or copied.",
    "expired": "This form was open for more than a day.",
    "flood": "We have received many submissions from your connection recently.",
    "rate": "You have sent {count} {filings} from this connection in the last "
    "{window}, the most this form accepts.",
}


def form_stamp() -> str:
    """Return the signed time the form was shown (for the minimum fill time)."""
    return signing.dumps({"t": round(time.time(), 2)}, salt=FORM_SALT, compress=True)


def stamp_problem(value: str) -> str:
    """What is wrong with the form's signed time: "invalid" (missing or
    forged), "expired" (shown more than a day ago), "too_fast" (sent sooner
    than a person could fill it in), or "" (nothing)."""
    try:
        shown = float(
            signing.loads(value or "", salt=FORM_SALT, max_age=FORM_MAX_AGE)["t"]
        )
    except signing.SignatureExpired:
        return "expired"
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "invalid"
    elapsed = time.time() - shown
    if elapsed > FORM_MAX_AGE:
        return "expired"
    if elapsed < settings.APPEALS_MIN_FILL_SECONDS:
        return "too_fast"
    return ""


class SpamTrapFields(forms.Form):
    """The honeypot and the signed time; a template shows them with
    ``{% include "core/_public_form_trap.html" %}``."""

    # A field people never see (hidden by CSS, skipped by keyboard and screen
    # readers); automated submitters fill it in.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "aria-hidden": "true"}
        ),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


def body_max(form_class: type[forms.Form]) -> int:
    """The largest body a filled-in form can make: every field at its longest, in
    4-byte characters, each byte percent-encoded (12 bytes a character), plus
    room for the fields without a length and the token. A resident who writes
    every field to its limit in Chinese or Amharic is never refused."""
    longest = sum(
        getattr(field, "max_length", None) or 0
        for field in form_class.base_fields.values()
    )
    return longest * 12 + 16 * 1024


def _log(request: HttpRequest, outcome: str, reason: str) -> None:
    """One line an operator can search: what, from which address, on which form."""
    logger.info(
        "public form %s: %s from %s on %s",
        outcome,
        reason,
        client_ip(request),
        request.path,
    )


@dataclass(frozen=True)
class PublicForm:
    """One public form's protections: what differs between the forms."""

    #: The form (with :class:`SpamTrapFields`).
    form_class: type[forms.Form]
    #: The form's page.
    template: str
    #: The flood guard's counter (each form its own).
    flood_group: str
    #: The audit events of this form's filings, counted per address.
    filing_actions: tuple[str, ...]
    #: The forms to offer on the refusal page: ``(url name, link text)``.
    links: tuple[tuple[str, str], ...]
    #: What is sent, in "Your <noun> has not been sent".
    noun: str
    #: What the filings limit counts, one and many: ("request", "requests").
    filings: tuple[str, str]
    #: The form's own wording, where it differs from :data:`REFUSALS`.
    wording: Mapping[str, str] = field(default_factory=dict)
    #: What the form's page shows beside the form (fetched once a request).
    context: Callable[[], dict[str, Any]] = dict
    #: The office to write to instead, for the refusal pages, from that context
    #: (or None).
    office: Callable[[Mapping[str, Any]], dict[str, str] | None] = lambda page: None

    @property
    def body_max(self) -> int:
        """The largest body this form accepts (:func:`body_max`)."""
        return body_max(self.form_class)

    def message(self, reason: str, limit: limits.FilingLimit | None = None) -> str:
        text = self.wording.get(reason, REFUSALS[reason])
        if limit is None:
            return text
        return text.format(
            count=limit.count,
            filings=self.filings[0] if limit.count == 1 else self.filings[1],
            window=limit.window_text,
        )

    def handle(
        self, request: HttpRequest, submit: Callable[..., Any], *, filed: str
    ) -> HttpResponse:
        """The form's view: the empty form on GET; on POST, the form checked
        (:meth:`_receive`) and filed by ``submit`` (a service taking the form's
        ``service_kwargs()``), whose errors come back on the form; once filed,
        the page ``filed`` (a URL name) of the filing's private status token."""
        if request.method != "POST":
            return self._blank(request)
        form = self._receive(request)
        if isinstance(form, HttpResponse):
            return form
        try:
            made = submit(**form.service_kwargs())
        except ValidationError as exc:
            show_errors(form, exc)
            return self._show(request, form)
        return redirect(filed, token=made.status_token)

    def _blank(self, request: HttpRequest) -> HttpResponse:
        """The empty form, stamped with the time it is shown."""
        return self._show(request, self.form_class(initial={"started": form_stamp()}))

    def _show(
        self,
        request: HttpRequest,
        form: Any,
        *,
        reason: str = "",
        status: int = 200,
        limit: limits.FilingLimit | None = None,
    ) -> HttpResponse:
        """The form's page with everything in ``form``; with ``reason``, why it
        was not sent (``refusal``: ``{"reason", "message", "noun", "office",
        "limit"}``, which ``core/_public_form_refusal.html`` says; ``limit``: the
        :class:`core.limits.FilingLimit` reached, for "rate")."""
        page = self.context()
        context: dict[str, Any] = {"form": form, **page}
        if reason:
            context["refusal"] = {
                "reason": reason,
                "message": self.message(reason, limit),
                "noun": self.noun,
                "office": self.office(page),
                "limit": limit,
            }
        return render(request, self.template, context, status=status)

    def _receive(self, request: HttpRequest) -> Any:
        """Check a POST: return the valid form to file, or the page refusing it."""
        # (core.middleware.MalformedRequestMiddleware has refused a length that
        # is not a number.)
        if int(request.META.get("CONTENT_LENGTH") or 0) > self.body_max:
            return self._refused(request, "too_large")
        if limits.over_cache_limit(
            request, group=self.flood_group, rate=settings.APPEALS_POST_RATE
        ):
            return self._sent_back(
                request, self.form_class(request.POST), "flood", status=429
            )
        if request.POST.get("website"):
            return self._refused(request, "honeypot")
        form = self.form_class(request.POST)
        problem = stamp_problem(request.POST.get("started", ""))
        # Errors in the answers first: a form sent back with them is no filing,
        # however fast it came back.
        if not form.is_valid():
            if problem in ("invalid", "expired"):
                form = self._restamped(request.POST)
            return self._show(request, form)
        if problem == "expired":
            # Left open overnight: keep every answer, ask to check and resend.
            return self._sent_back(
                request, self._restamped(request.POST), problem, status=200
            )
        if problem == "invalid":
            return self._sent_back(
                request, self._restamped(request.POST), problem, status=400
            )
        if problem == "too_fast":
            return self._sent_back(request, form, problem, status=400)
        reached = limits.filing_limit_reached(
            request, rate=settings.APPEALS_SUBMIT_RATE, actions=self.filing_actions
        )
        if reached is not None:
            _log(request, "refused", "rate")
            response = self._show(
                request, form, reason="rate", status=429, limit=reached
            )
            response["Retry-After"] = str(reached.retry_after_seconds)
            return response
        return form

    def _restamped(self, data: Any) -> Any:
        """The form with every answer in ``data`` and a new signed time."""
        data = data.copy()
        data["started"] = form_stamp()
        form = self.form_class(data)
        form.is_valid()
        return form

    def _sent_back(
        self, request: HttpRequest, form: Any, reason: str, *, status: int
    ) -> HttpResponse:
        """The form again with everything typed in it, and why it was not sent."""
        _log(request, "sent back", reason)
        return self._show(request, form, reason=reason, status=status)

    def _refused(self, request: HttpRequest, reason: str) -> HttpResponse:
        """The page for a submission whose text cannot be kept (too large, or a
        bot's): what happened, and where to write instead."""
        _log(request, "refused", reason)
        return render(
            request,
            "core/public_form_refused.html",
            {
                "message": self.message(reason),
                "office": self.office(self.context()),
                "links": [(reverse(name), text) for name, text in self.links],
            },
            status=400,
        )
