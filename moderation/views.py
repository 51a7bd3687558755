"""Staff pages: log a removal, read (and print) one, and append to it.

Thin: parse the form, call one service, render. Every page needs a signed-in staff
member; managers reach only the removals of accounts they manage (P11).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from core import audit
from core.auth import staff_required
from core.roles import CITY_ADMINISTRATOR, SOCIAL_MEDIA_MANAGER
from core.uploads import attachment_response
from moderation import selectors, services
from moderation.exceptions import RemovalNotPermitted, RemovalValidationError
from moderation.forms import (
    AmendForm,
    EvidenceForm,
    NotifyForm,
    RemovalForm,
    RestoreForm,
)
from moderation.models import RemovalCategory, RemovalDecision, RemovalEvidence
from moderation.notifications import notification_context

LOGGING_ROLES = (SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR)


def _apply_errors(
    form: Any, exc: RemovalValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show the service's errors beside the fields they concern."""
    aliases = aliases or {}
    for field, field_messages in exc.message_dict.items():
        name = aliases.get(field, field)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def _visible_decision(request: HttpRequest, pk: int) -> RemovalDecision:
    decision = selectors.removal_get_detail(pk=pk)
    if decision is None or not selectors.user_can_view_removal(
        user=request.user, decision=decision
    ):
        raise Http404("No such removal.")
    return decision


def _too_big(request: HttpRequest, accounts: Any) -> HttpResponse:
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    message = (
        f"What you sent was {size / 1_048_576:.1f} MB, too large to read, so nothing "
        f"was saved. A comment is at most {services.COMMENT_TEXT_MAX_CHARS:,} "
        "characters: paste only the removed comment, and attach a screenshot as a "
        "file rather than pasting it."
    )
    return render(
        request,
        "moderation/removal_form.html",
        {"form": RemovalForm(accounts=accounts), "request_error": message},
        status=400,
    )


@csrf_exempt  # see below: the body is parsed first, then CSRF is checked
@never_cache
@staff_required(roles=LOGGING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def removal_new(request: HttpRequest) -> HttpResponse:
    """Log a removal (issue #5 item 4). An oversized paste is answered with a
    specific message instead of Django's bare 400 (the body is read here, before
    the CSRF check that would otherwise read it and fail)."""
    accounts = selectors.account_list_for_logging(user=request.user)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parse now to catch an oversized body
            request.FILES  # noqa: B018
        except RequestDataTooBig:
            return _too_big(request, accounts)
    return _removal_new(request, accounts)


@csrf_protect
def _removal_new(request: HttpRequest, accounts: Any) -> HttpResponse:
    if request.method == "POST":
        form = RemovalForm(request.POST, request.FILES, accounts=accounts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.removal_create(
                    by=request.user,
                    account=data["account"],
                    comment_url=data["comment_url"],
                    comment_id=data["comment_id"],
                    comment_text=data["comment_text"],
                    author_name=data["author_name"],
                    author_handle=data["author_handle"],
                    posted_at=data["posted_at"],
                    removed_at=data["removed_at"],
                    categories=list(data["categories"]),
                    link_to_material=data["link_to_material"],
                    facts=data["facts"],
                    reasoning=data["reasoning"],
                    platform_action=data["platform_action"],
                    notified_via=data["notified_via"],
                    notification_text=data["notification_text"],
                    evidence=data["evidence"] or None,
                )
            except RemovalNotPermitted as exc:
                form.add_error("account", str(exc))
            except RemovalValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"{decision} is logged.")
                return redirect("moderation:removal-detail", pk=decision.pk)
        status = 400
    else:
        form = RemovalForm(accounts=accounts)
        status = 200
    return render(
        request,
        "moderation/removal_form.html",
        {"form": form, "no_accounts": not accounts},
        status=status,
    )


def _detail_context(request: HttpRequest, decision: RemovalDecision) -> dict[str, Any]:
    told = selectors.removal_author_told(decision)
    can_act = services._can_act_for(request.user, decision.account)
    current = selectors.removal_current(decision)
    context: dict[str, Any] = {
        "decision": decision,
        "current": current,
        "current_categories": [
            c
            for c in RemovalCategory.objects.order_by("number")
            if c.number in current["categories"]
        ],
        "told_label": (RemovalDecision.NotifiedVia(told[0]).label if told else ""),
        "categories": decision.categories.all(),
        "amendments": decision.amendments.all(),
        "evidence": decision.evidence.all(),
        "told": told,
        "restored": selectors.removal_is_restored(decision),
        "can_act": can_act,
        "events": audit.events_for(decision).select_related("actor"),
        # Appeals of this removal (appeals.Appeal.removal, related_name "appeals").
        "appeals": list(decision.appeals.all()) if hasattr(decision, "appeals") else [],
    }
    if can_act:
        context.update(notification_context(decision=decision, request=request))
        context.setdefault(
            "notify_form",
            NotifyForm(
                initial={"via": "message", "text": context["notification_text"]}
            ),
        )
        context.setdefault("amend_form", AmendForm())
        context.setdefault("evidence_form", EvidenceForm())
        context.setdefault("restore_form", RestoreForm())
    return context


@never_cache
@staff_required
@require_safe
def removal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full record of one removal, printable (e.g. to answer a data request)."""
    decision = _visible_decision(request, pk)
    return render(
        request, "moderation/removal_detail.html", _detail_context(request, decision)
    )


def _action(
    request: HttpRequest,
    pk: int,
    form_class: type,
    form_key: str,
    call: Any,
    success: str,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    decision = _visible_decision(request, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            call(decision, form)
        except RemovalNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except RemovalValidationError as exc:
            _apply_errors(form, exc, aliases)
        else:
            messages.success(request, success.format(decision=decision))
            return redirect("moderation:removal-detail", pk=decision.pk)
    context = _detail_context(request, decision)
    if not context["can_act"]:
        raise PermissionDenied
    context[form_key] = form
    context["open_form"] = form_key
    return render(request, "moderation/removal_detail.html", context, status=400)


@staff_required(roles=LOGGING_ROLES)
@require_POST
def removal_notify(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        NotifyForm,
        "notify_form",
        lambda decision, form: services.removal_notify_author(
            decision=decision,
            by=request.user,
            via=form.cleaned_data["via"],
            text=form.cleaned_data["text"],
            notified_at=form.cleaned_data.get("notified_at"),
        ),
        "Recorded that the author of {decision} was told.",
    )


@staff_required(roles=LOGGING_ROLES)
@require_POST
def removal_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        AmendForm,
        "amend_form",
        lambda decision, form: services.removal_amend(
            decision=decision,
            by=request.user,
            field=form.cleaned_data["field"],
            value=form.new_value(),
            reason=form.cleaned_data["reason"],
        ),
        "The correction is appended to {decision}.",
        aliases={"value": "value"},
    )


@staff_required(roles=LOGGING_ROLES)
@require_POST
def removal_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        EvidenceForm,
        "evidence_form",
        lambda decision, form: services.removal_add_evidence(
            decision=decision,
            by=request.user,
            file=form.cleaned_data["evidence"],
            reason=form.cleaned_data["reason"],
        ),
        "The evidence is added to {decision}.",
    )


@staff_required(roles=LOGGING_ROLES)
@require_POST
def removal_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        RestoreForm,
        "restore_form",
        lambda decision, form: services.removal_restore(
            decision=decision, by=request.user, reason=form.cleaned_data["reason"]
        ),
        "The restoration of the comment is recorded on {decision}.",
        aliases={"decision": "reason"},
    )


@never_cache
@staff_required
def removal_evidence_download(
    request: HttpRequest, pk: int, evidence_pk: int
) -> HttpResponse:
    """Serve a screenshot only to staff who may see the removal, as a download."""
    decision = _visible_decision(request, pk)
    evidence = RemovalEvidence.objects.filter(decision=decision, pk=evidence_pk).first()
    if evidence is None or not evidence.file:
        raise Http404("No such evidence.")
    return attachment_response(  # type: ignore[return-value]  # a FileResponse
        evidence.file, f"removal-{decision.pk}-evidence-{evidence.pk}"
    )
