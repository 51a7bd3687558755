"""The staff pages of appeals and legality challenges: list, entry of filings that
came on paper, and each filing's page with its steps (P22, P23).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Account, User
from appeals import forms as f
from appeals import selectors, services
from appeals.models import (
    FILING_MODELS,
    Appeal,
    AttorneyConsultation,
    Correspondence,
    Filing,
    LegalityChallenge,
)
from core import clock
from core.audit import events_for
from core.auth import staff_required
from core.exceptions import MissingRecord, messages_of
from core.forms import show_errors
from core.ids import parse_id
from core.uploads import attachment_response
from moderation.selectors import removal_for_review


def _kind_model(kind: str) -> type[Appeal] | type[LegalityChallenge]:
    try:
        return FILING_MODELS[kind]
    except KeyError as exc:
        raise Http404 from exc


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _require_view(request: HttpRequest, model: type[Filing]) -> None:
    if not selectors.can_view(request.user, model):
        raise PermissionDenied


@staff_required
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    """Appeals and challenges, open first, filterable by kind, status and reviewer."""
    can_appeals = selectors.can_view(request.user, Appeal)
    can_challenges = selectors.can_view(request.user, LegalityChallenge)
    if not (can_appeals or can_challenges):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    state = request.GET.get("status", "open")
    mine = request.GET.get("mine") == "1"
    query = (request.GET.get("q") or "").strip()[:200]
    rows: list[Filing] = []
    for name, model, allowed in (
        ("appeal", Appeal, can_appeals),
        ("challenge", LegalityChallenge, can_challenges),
    ):
        if not allowed or (kind and kind != name):
            continue
        qs = model.objects.select_related("reviewer")
        if state == "open":
            qs = qs.filter(status__in=Filing.OPEN_STATUSES)
        elif state in Filing.Status.values:
            qs = qs.filter(status=state)
        if mine:
            # staff_required: the user is signed in.
            qs = qs.filter(reviewer=cast(User, request.user))
        if query:
            qs = selectors.filing_list_matching(qs, query=query)
        rows.extend(qs[:500])
    rows.sort(key=lambda r: (not r.is_open, r.next_due_on or r.received_on, r.pk))
    return render(
        request,
        "appeals/staff/list.html",
        {
            "rows": rows,
            "kind": kind,
            "state": state,
            "mine": mine,
            "query": query,
            "statuses": Filing.Status.choices,
            "today": clock.today(),
            "can_add_appeal": request.user.has_perm("appeals.add_appeal"),
            "can_mail": bool(selectors.handled_kinds(request.user)),
            "can_add_challenge": request.user.has_perm("appeals.add_legalitychallenge"),
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Enter an appeal or challenge that came by letter, email or in person."""
    model = _kind_model(kind)
    _require(request, f"appeals.add_{model._meta.model_name}")
    form_class = f.StaffAppealForm if model is Appeal else f.StaffChallengeForm
    submit = services.appeal_submit if model is Appeal else services.challenge_submit
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                filing = submit(
                    **form.service_kwargs(),
                    channel=form.cleaned_data["channel"],
                    received_on=form.cleaned_data["received_on"],
                    letter=form.cleaned_data.get("letter"),
                    by=request.user,
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{filing.reference} was entered. Its private status link is "
                    f"{settings.SITE_URL}{filing.get_status_url()}: include it in "
                    "the acknowledgment.",
                )
                return redirect(filing.get_absolute_url())
    else:
        form = form_class(initial={"received_on": clock.today()})
    return render(
        request,
        "appeals/staff/new.html",
        {
            "form": form,
            "kind": kind,
            "noun": _noun(model),
            "a_noun": "an appeal" if model is Appeal else "a legality challenge",
        },
    )


def _noun(model: type[Filing]) -> str:
    return "appeal" if model is Appeal else "legality challenge"


@staff_required
@require_safe
def staff_letter(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    model = _kind_model(kind)
    _require_view(request, model)
    filing = get_object_or_404(model, pk=pk)
    if not filing.letter:
        raise Http404
    return attachment_response(filing.letter, f"{filing.reference}-letter")


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_filing(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One filing: its record, correspondence, history and the next steps."""
    model = _kind_model(kind)
    _require_view(request, model)
    filing = get_object_or_404(model.objects.select_related("reviewer"), pk=pk)
    page = StaffPage(request, filing)
    if request.method == "POST":
        done = page.handle(request.POST.get("action", ""))
        if done:
            messages.success(request, done)
            return redirect(filing.get_absolute_url())
    return render(request, "appeals/staff/filing.html", page.context())


class StaffPage:
    """The forms of a filing's staff page, bound when their action was posted."""

    def __init__(self, request: HttpRequest, filing: Filing) -> None:
        self.request = request
        self.user: Any = request.user
        # An Appeal or a LegalityChallenge: the services take either, as their F.
        self.filing: Any = filing
        self.error = ""
        self.posted = ""
        self.is_appeal = isinstance(filing, Appeal)
        self.can_handle = services.can_handle(self.user, filing)
        self.can_read_notes = self.user.has_perm("appeals.view_attorneyconsultation")
        self.can_consult = self.user.has_perm("appeals.add_attorneyconsultation")
        self.forms: dict[str, Any] = {}

    def _form(self, action: str, cls: Any, **kwargs: Any) -> Any:
        data = self.request.POST if self.posted == action else None
        form = cls(data, **kwargs)
        self.forms[action] = form
        return form

    def build(self) -> None:
        filing = self.filing
        self._form(
            "assign",
            f.ReviewerForm,
            reviewers=selectors.reviewer_list_for(filing=filing),
        )
        self._form("withdraw", f.WithdrawForm)
        if self.is_appeal:
            self._form("answer", f.AppealAnswerForm)
        else:
            self._form("answer", f.ChallengeAnswerForm)
            self._form(
                "consult",
                f.ConsultationForm,
                attorneys=selectors.attorney_list(),
                initial={"consulted_on": clock.today()},
            )

    def handle(self, action: str) -> str:
        """Run the posted action; return the success message, or "" on failure."""
        self.posted = action
        self.build()
        filing, by = self.filing, self.user
        try:
            if action == "consult":
                if not self.can_consult:
                    raise PermissionDenied
            elif not self.can_handle:
                raise PermissionDenied
            if action == "acknowledge":
                services.filing_acknowledge(filing=filing, by=by)
                return f"{filing.reference} is acknowledged."
            if action == "start-review":
                services.filing_start_review(filing=filing, by=by)
                return f"{filing.reference} is under review."
            if action == "link-removal":
                return self._link_removal()
            form = self.forms.get(action)
            if form is None:
                raise Http404
            if not form.is_valid():
                self.error = "Correct the errors below."
                return ""
            data = form.cleaned_data
            if action == "assign":
                services.filing_assign_reviewer(
                    filing=filing, reviewer=data["reviewer"], by=by
                )
                return f"{data['reviewer']} reviews {filing.reference}."
            if action == "withdraw":
                services.filing_withdraw(filing=filing, by=by, note=data["note"])
                return f"{filing.reference} is withdrawn."
            if action == "consult":
                services.challenge_record_consultation(
                    challenge=filing,
                    by=by,
                    attorney=data["attorney"],
                    consulted_on=data["consulted_on"],
                    notes=data["notes"],
                )
                return "The consultation is recorded."
            if action == "answer" and self.is_appeal:
                services.appeal_answer(
                    appeal=filing,
                    by=by,
                    outcome=data["outcome"],
                    response=data["response"],
                    categories=data["categories"],
                )
                return f"{filing.reference} is answered."
            if action == "answer":
                services.challenge_answer(
                    challenge=filing,
                    by=by,
                    outcome=data["outcome"],
                    response=data["response"],
                    amended_version=data["amended_version"],
                )
                return f"{filing.reference} is answered."
        except ValidationError as exc:
            # A DomainError (a refusal) or full_clean()'s errors (core.exceptions).
            form = self.forms.get(action)
            if form is not None:
                show_errors(form, exc)
            self.error = " ".join(messages_of(exc))
        filing.refresh_from_db()
        return ""

    def _link_removal(self) -> str:
        if not self.is_appeal:
            raise Http404
        pk = parse_id(self.request.POST.get("removal"))
        if pk is None:
            raise Http404
        try:
            removal = removal_for_review(decision_id=pk, user=self.user)
        except MissingRecord as exc:
            raise Http404 from exc
        services.appeal_link_removal(
            appeal=self.filing,
            removal=removal,
            by=self.user,
        )
        return f"{self.filing.reference} is linked to {removal}."

    def context(self) -> dict[str, Any]:
        if not self.forms:
            self.build()
        filing = self.filing
        related = "appeal" if self.is_appeal else "challenge"
        correspondence = Correspondence.objects.filter(
            **{related: filing}
        ).select_related("outbox", "marked_by")
        consultations: list[AttorneyConsultation] = []
        if not self.is_appeal and self.can_read_notes:
            consultations = list(
                filing.consultations.select_related("attorney", "recorded_by")
            )
        events = list(events_for(filing).select_related("actor"))
        return {
            "filing": filing,
            "is_appeal": self.is_appeal,
            "url_kind": "appeal" if self.is_appeal else "challenge",
            "error": self.error,
            "forms": self.forms,
            "can_handle": self.can_handle,
            "can_read_notes": self.can_read_notes,
            "can_consult": self.can_consult and filing.is_open,
            "consultations": consultations,
            "consultation_count": (
                filing.consultations.count() if not self.is_appeal else 0
            ),
            "correspondence": list(correspondence),
            "events": events,
            # Brought in from the city's earlier records: its letters went then.
            "imported": selectors.filing_imported(filing),
            "today": clock.today(),
            "status_path": reverse("appeals:status", args=[filing.status_token]),
            **self.extra_context(),
        }

    def extra_context(self) -> dict[str, Any]:
        if not self.is_appeal:
            return {}
        context: dict[str, Any] = {
            "removal": selectors.removal_under_appeal(
                appeal=self.filing, user=self.user
            )
        }
        context["quoted"] = selectors.removal_quoted(appeal=self.filing, user=self.user)
        if self.filing.is_open and self.can_handle:
            context["search"] = self.removal_search(quoted=context["quoted"])
        return context

    def removal_search(self, *, quoted: Any = None) -> dict[str, Any]:
        """The candidate search, prefilled from what the resident told us."""
        appeal: Appeal = self.filing
        params = self.request.GET
        accounts = list(Account.objects.select_related("platform"))
        if "r_account" in params or "r_date" in params or "r_author" in params:
            account = next(
                (a for a in accounts if str(a.pk) == params.get("r_account")), None
            )
            around = (
                parse_date(params.get("r_date") or "")
                if _is_date(params.get("r_date"))
                else None
            )
            author = (params.get("r_author") or "")[:200]
        else:
            account, around, author = (
                appeal.account,
                appeal.comment_posted_on,
                "",
            )
        return {
            "accounts": accounts,
            "account": account,
            "around": around,
            "author": author,
            # The removal the resident quoted comes first.
            "candidates": ([quoted] if quoted else [])
            + [
                r
                for r in selectors.removal_candidates(
                    user=self.user,
                    account=account,
                    around=around,
                    author=author,
                    comment_url=appeal.comment_url,
                )
                if quoted is None or r.pk != quoted.pk
            ],
        }


def _is_date(value: str | None) -> bool:
    try:
        return bool(value) and parse_date(value or "") is not None
    except ValueError:
        return False
