"""Staff pages: log a removal, read (and print) one, and append to it.

Thin: parse the form, call one service, render. Every page needs a signed-in staff
member; managers reach only the removals of accounts they manage (P11).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
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
from core.exceptions import MissingRecord, NotPermitted
from core.forms import show_errors
from core.uploads import attachment_response
from moderation import selectors, services
from moderation.forms import (
    AmendForm,
    EvidenceForm,
    NotifyForm,
    RemovalForm,
    RestorationDoneForm,
    RestoreForm,
)
from moderation.models import (
    RemovalCategory,
    RemovalDecision,
    RemovalEvidence,
    RestorationTask,
)
from moderation.notifications import notification_context


def _visible_decision(request: HttpRequest, pk: int) -> RemovalDecision:
    try:
        return selectors.removal_for_review(decision_id=pk, user=request.user)
    except MissingRecord as exc:
        raise Http404("No such removal.") from exc


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
@staff_required(perm="moderation.add_removaldecision")
@require_http_methods(["GET", "HEAD", "POST"])
def removal_new(request: HttpRequest) -> HttpResponse:
    """Log a removal (P20, P21). An oversized paste is answered with a
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
            except NotPermitted as exc:
                form.add_error("account", str(exc))
            except ValidationError as exc:
                show_errors(form, exc)
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
    can_act = request.user.has_perm("moderation.add_removalamendment", decision.account)
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
        "restoration_task": RestorationTask.objects.filter(decision=decision)
        .select_related("requested_by", "done_by")
        .first(),
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
        context.setdefault("restoration_form", RestorationDoneForm())
    return context


@never_cache
@staff_required(perm="moderation.view_removaldecision")
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
        except NotPermitted:
            raise  # the 403 page, with its words (core.middleware)
        except ValidationError as exc:
            show_errors(form, exc, aliases=aliases)
        else:
            messages.success(request, success.format(decision=decision))
            return redirect("moderation:removal-detail", pk=decision.pk)
    context = _detail_context(request, decision)
    if not context["can_act"]:
        raise NotPermitted(f"You may not add to {decision}.")
    context[form_key] = form
    context["open_form"] = form_key
    return render(request, "moderation/removal_detail.html", context, status=400)


@staff_required(perm="moderation.add_removalamendment")
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


@staff_required(perm="moderation.add_removalamendment")
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


@staff_required(perm="moderation.add_removalevidence")
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


@staff_required(perm="moderation.add_removalamendment")
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


@staff_required(perm="moderation.add_removalamendment")
@require_POST
def restoration_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager confirms the comment is back on the platform (P22)."""
    decision = _visible_decision(request, pk)
    task = RestorationTask.objects.filter(decision=decision).first()
    if task is None:
        messages.error(request, f"No restoration of {decision} was asked for.")
        return redirect("moderation:removal-detail", pk=decision.pk)
    return _action(
        request,
        pk,
        RestorationDoneForm,
        "restoration_form",
        lambda decision, form: services.restoration_complete(
            task=task, by=request.user, note=form.cleaned_data["done_note"]
        ),
        "Recorded that the comment of {decision} is restored on the platform.",
        aliases={"done_note": "done_note", "status": "done_note"},
    )


@never_cache
@staff_required(perm="moderation.view_removalevidence")
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
