"""The Meta webhook, and the staff pages: connections, deliveries that need staff,
draft removals and captured comments. Thin: parse, call one service, render."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account
from accounts.permissions import scope_to_visible_accounts
from core import audit, clock, followups
from core.auth import staff_required
from core.exceptions import NotPermitted
from core.forms import show_errors
from core.ids import parse_id
from platforms import selectors, services
from platforms.connectors import meta
from platforms.forms import (
    DraftCompleteForm,
    DraftDismissForm,
    MastodonConnectionForm,
)
from platforms.models import CapturedComment, Connection, DraftRemoval, MetaDelivery

TEXT = "text/plain; charset=utf-8"


def _text(message: str, status: int = 200) -> HttpResponse:
    return HttpResponse(message, status=status, content_type=TEXT)


# --- Meta's webhook -----------------------------------------------------------------


@csrf_exempt  # Meta signs its deliveries instead (X-Hub-Signature-256)
@never_cache
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    """Meta's subscription handshake (GET) and its deliveries (POST).

    A delivery is kept only when its signature matches its raw body under
    ``META_APP_SECRET``; it is stored once (a body already stored is answered 200
    and not stored again) and answered at once: a job captures what it carries.
    No rate limit: Meta retries what it thinks was not received, and a retry
    must never be refused.
    """
    if request.method == "POST":
        return _receive(request)
    challenge = meta.handshake_answer(request.GET, settings.META_VERIFY_TOKEN)
    if challenge is None:
        return _text(
            "Refused: hub.mode must be subscribe and hub.verify_token must be this "
            "server's META_VERIFY_TOKEN.",
            403,
        )
    return _text(challenge)


def _receive(request: HttpRequest) -> HttpResponse:
    secret = settings.META_APP_SECRET
    if not secret:
        return _text(
            "Deliveries are not accepted: META_APP_SECRET is not set on this server.",
            403,
        )
    limit = settings.META_WEBHOOK_MAX_BYTES
    body = request.read(limit + 1)
    if len(body) > limit:
        return _text(f"Refused: the body is larger than {limit} bytes.", 413)
    signature = request.headers.get("X-Hub-Signature-256")
    if not meta.verify_signature(body, signature, secret):
        return _text(
            "Refused: X-Hub-Signature-256 is missing or does not match the body; "
            "nothing was stored.",
            403,
        )
    services.meta_delivery_store(body=body)
    return _text("EVENT_RECEIVED")


# --- Staff pages --------------------------------------------------------------------


def _id(pk: str) -> int:
    number = parse_id(pk)
    if number is None:
        raise Http404
    return number


@never_cache
@staff_required(perm="platforms.view_connection")
def connection_list(request: HttpRequest) -> HttpResponse:
    """Every account the product captures from, with its connection's state (and,
    for the City Administrator, a way to open any account's connection page)."""
    user = request.user
    can_set_up = user.has_perm("platforms.change_connection")
    chosen = parse_id(request.GET.get("account", ""))
    if can_set_up and chosen is not None:
        return redirect("platforms:connection", pk=chosen)
    return render(
        request,
        "platforms/connection_list.html",
        {
            "accounts": selectors.account_list_connected(user=user),
            "counts": (
                selectors.delivery_counts()
                if user.has_perm("platforms.view_metadelivery")
                else None
            ),
            "webhook_url": request.build_absolute_uri(
                reverse("platforms:meta-webhook")
            ),
            "all_accounts": (
                Account.objects.in_service().select_related("platform")
                if can_set_up
                else None
            ),
        },
    )


@never_cache
@staff_required(perm="platforms.view_connection")
def connection_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One account's connection: last delivery, last poll, errors, captures."""
    accounts = scope_to_visible_accounts(
        Account.objects.select_related("platform"), request.user, account_path=""
    )
    account = get_object_or_404(accounts, pk=_id(pk))
    connection = Connection.objects.filter(account=account).first()
    return render(
        request,
        "platforms/connection_detail.html",
        _connection_context(request, account, connection),
    )


def _connection_context(
    request: HttpRequest,
    account: Account,
    connection: Connection | None,
    form: MastodonConnectionForm | None = None,
) -> dict[str, Any]:
    can_set_up = request.user.has_perm("platforms.change_connection")
    if form is None and can_set_up:
        form = MastodonConnectionForm(
            initial={
                "server_url": connection.server_url if connection else "",
                "token_name": connection.token_name if connection else "",
            }
        )
    return {
        "account": account,
        "connection": connection,
        "comments": account.captured_comments.order_by("-last_seen_at", "-id")[:20],
        "drafts": DraftRemoval.objects.filter(
            account=account, status=DraftRemoval.Status.PENDING
        ).select_related("comment"),
        "form": form,
        "mastodon": Connection.Kind.MASTODON,
        "events": (
            audit.events_for(connection).select_related("actor") if connection else []
        ),
    }


@require_POST
@staff_required(perm="platforms.change_connection")
def connection_mastodon(request: HttpRequest, pk: str) -> HttpResponse:
    """Set up (or change) the Mastodon polling of an account."""
    account = get_object_or_404(Account.objects.select_related("platform"), pk=_id(pk))
    form = MastodonConnectionForm(request.POST)
    if form.is_valid():
        try:
            services.mastodon_connection_set(
                account=account,
                server_url=form.cleaned_data["server_url"],
                token_name=form.cleaned_data["token_name"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                f"{account} is polled from {form.cleaned_data['server_url']} from "
                "the next run of the polling job.",
            )
            return redirect("platforms:connection", pk=account.pk)
    connection = Connection.objects.filter(account=account).first()
    return render(
        request,
        "platforms/connection_detail.html",
        _connection_context(request, account, connection, form),
        status=400,
    )


@never_cache
@staff_required(perm="platforms.view_metadelivery")
def delivery_list(request: HttpRequest) -> HttpResponse:
    """Deliveries that need staff: for an id on no account, or failing."""
    page = Paginator(selectors.delivery_list_attention(), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "platforms/delivery_list.html", {"page": page})


@require_POST
@staff_required(perm="platforms.change_metadelivery")
def delivery_retry(request: HttpRequest, pk: str) -> HttpResponse:
    delivery = get_object_or_404(MetaDelivery.objects.defer("body"), pk=_id(pk))
    try:
        services.meta_delivery_retry(delivery=delivery, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{delivery} will be processed again with the next run of the job."
        )
    return redirect("platforms:deliveries")


@never_cache
@staff_required(perm="platforms.view_draftremoval")
def draft_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", DraftRemoval.Status.PENDING)
    if status not in DraftRemoval.Status.values:
        status = DraftRemoval.Status.PENDING
    drafts = selectors.draft_list_visible(user=request.user, status=status)
    page = Paginator(drafts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "platforms/draft_list.html",
        {"page": page, "status": status, "statuses": DraftRemoval.Status.choices},
    )


def _visible_draft(request: HttpRequest, pk: str) -> DraftRemoval:
    return get_object_or_404(
        selectors.draft_list_visible(user=request.user), pk=_id(pk)
    )


def _draft_context(request: HttpRequest, draft: DraftRemoval, **forms: Any) -> dict:
    user = request.user
    can_act = (
        draft.status == DraftRemoval.Status.PENDING
        and user.has_perm("platforms.change_draftremoval")
        and user.has_perm("accounts.act_on_account", draft.account)
    )
    context: dict[str, Any] = {
        "draft": draft,
        "comment": draft.comment,
        "versions": draft.comment.versions.all(),
        "can_act": can_act,
        "events": audit.events_for(draft).select_related("actor"),
    }
    if can_act:
        context["complete_form"] = forms.get("complete_form") or DraftCompleteForm(
            comment=draft.comment
        )
        context["dismiss_form"] = forms.get("dismiss_form") or DraftDismissForm()
    return context


@never_cache
@staff_required(perm="platforms.view_draftremoval")
def draft_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """What the platform reported, and the forms that close it."""
    draft = _visible_draft(request, pk)
    return render(
        request, "platforms/draft_detail.html", _draft_context(request, draft)
    )


@require_POST
@staff_required(perm="platforms.change_draftremoval")
def draft_complete(request: HttpRequest, pk: str) -> HttpResponse:
    """Log the draft as a removal decision (P21), through moderation's service."""
    draft = _visible_draft(request, pk)
    form = DraftCompleteForm(request.POST, comment=draft.comment)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.draft_removal_complete(
                draft=draft,
                by=request.user,
                categories=list(data["categories"]),
                facts=data["facts"],
                reasoning=data["reasoning"],
                link_to_material=data["link_to_material"],
                notified_via=data["notified_via"],
                notification_text=data["notification_text"],
                comment_text=data.get("comment_text", ""),
                author_name=data.get("author_name", ""),
            )
        except NotPermitted:
            raise
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{decision} is logged from {draft}.")
            return redirect("moderation:removal-detail", pk=decision.pk)
    context = _draft_context(request, draft, complete_form=form)
    if not context["can_act"]:
        raise NotPermitted(f"You may not complete {draft}.")
    context["open_form"] = "complete"
    return render(request, "platforms/draft_detail.html", context, status=400)


@require_POST
@staff_required(perm="platforms.change_draftremoval")
def draft_dismiss(request: HttpRequest, pk: str) -> HttpResponse:
    """Mark the draft as not a removal, with the reason."""
    draft = _visible_draft(request, pk)
    form = DraftDismissForm(request.POST)
    if form.is_valid():
        try:
            services.draft_removal_dismiss(
                draft=draft, by=request.user, reason=form.cleaned_data["reason"]
            )
        except NotPermitted:
            raise
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{draft} is marked as not a removal.")
            return redirect("platforms:drafts")
    context = _draft_context(request, draft, dismiss_form=form)
    if not context["can_act"]:
        raise NotPermitted(f"You may not close {draft}.")
    context["open_form"] = "dismiss"
    return render(request, "platforms/draft_detail.html", context, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(perm="platforms.view_capturedcomment")
def comment_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A captured comment with every version of its text, and its follow-up if
    it starts a business request (P19, the same box as on a message)."""
    comment: CapturedComment = get_object_or_404(
        selectors.comment_list_visible(user=request.user), pk=_id(pk)
    )
    follow_up = followups.page_forms(
        request,
        comment,
        flag_service=partial(services.comment_flag_follow_up, comment=comment),
        record_service=partial(services.comment_record_follow_up, comment=comment),
    )
    status = 200
    if request.method == "POST":
        if not follow_up.posted:
            messages.error(request, "Unknown action; nothing was changed.")
            return redirect("platforms:comment", pk=comment.pk)
        if follow_up.done:
            return redirect("platforms:comment", pk=comment.pk)
        status = 400
        comment.refresh_from_db()
    return render(
        request,
        "platforms/comment_detail.html",
        {
            "comment": comment,
            "versions": comment.versions.all(),
            "drafts": comment.drafts.select_related("decision"),
            "events": audit.events_for(comment).select_related("actor"),
            "flag_form": follow_up.flag_form,
            "form": follow_up.form,
            "can_follow_up": request.user.has_perm(
                "accounts.act_on_account", comment.account
            ),
            "today": clock.today(),
        },
        status=status,
    )
