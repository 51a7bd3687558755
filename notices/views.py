"""Public pages (home, notice, policy, account notice, old versions) and the staff
pages that review and publish versions and show an account's notice link (P15)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Account
from accounts.selectors import account_list_public, city_profile_get
from core.auth import staff_required
from core.exceptions import DomainError
from notices import services
from notices.diff import diff_documents, document_lines
from notices.models import DocumentVersion
from notices.readability import document_readability, sections_readability
from notices.selectors import (
    document_status,
    document_version_get,
    document_version_history,
    document_version_live,
    policy_acknowledgment_counts,
    policy_acknowledgment_table,
)

PUBLISH = "notices.publish_documentversion"

KINDS = [k.value for k in DocumentVersion.Kind]


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The residents' front page: accounts, notice, policy, appeals (P7, P15)."""
    return render(
        request,
        "notices/home.html",
        {
            "accounts": account_list_public(),
            "notice": document_version_live(kind="notice"),
            "policy": document_version_live(kind="policy"),
            "account_list_url": _url_or_none("accounts:public-list"),
            "appeal_url": _url_or_none("appeals:appeal-new"),
            "challenge_url": _url_or_none("appeals:challenge-new"),
            "transparency_url": _url_or_none("transparency:index"),
            "data_request_url": _url_or_none("datarequests:request-new"),
        },
    )


def _document_page(
    request: HttpRequest, *, kind: str, version: DocumentVersion | None
) -> HttpResponse:
    return render(
        request,
        "notices/document.html",
        {
            "kind": kind,
            "version": version,
            "live": version
            if version is not None and version.is_live
            else document_version_live(kind=kind),
            "transparency_url": _url_or_none("transparency:index"),
        },
    )


@require_safe
def notice(request: HttpRequest) -> HttpResponse:
    return _document_page(
        request, kind="notice", version=document_version_live(kind="notice")
    )


@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    return _document_page(
        request, kind="policy", version=document_version_live(kind="policy")
    )


@require_safe
def version_detail(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    """An old or current version at its stable URL."""
    version = document_version_get(kind=kind, number=number)
    if version is None:
        raise Http404("No such version.")
    return _document_page(request, kind=kind, version=version)


@require_safe
def version_list(request: HttpRequest) -> HttpResponse:
    history = document_version_history()
    return render(
        request,
        "notices/versions.html",
        {
            "notices": [v for v in history if v.kind == "notice"],
            "policies": [v for v in history if v.kind == "policy"],
        },
    )


@require_safe
def account_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """The page each platform profile links to (P5, P15)."""
    account = get_object_or_404(
        Account.objects.select_related("platform", "department"), slug=slug
    )
    shut_down = account.status == Account.Status.SHUT_DOWN
    return render(
        request,
        "notices/account_notice.html",
        {
            "account": account,
            "shut_down": shut_down,
            "version": None if shut_down else document_version_live(kind="notice"),
            "appeal_url": _url_or_none("appeals:appeal-new"),
            "transparency_url": _url_or_none("transparency:index"),
        },
        status=410 if shut_down else 200,
    )


# Staff pages -------------------------------------------------------------------


@staff_required(perm=PUBLISH)
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    """Compare what the profile now generates with the live version; publish.

    Each version's reading level is shown beside it (plain language: the notice
    and policy aim for ``notices.readability.GRADE_TARGET`` or below)."""
    documents = []
    for kind in KINDS:
        status = document_status(kind=kind)
        diff = None
        if status.draft is not None:
            old = (
                document_lines(status.live.title, status.live.sections)
                if status.live
                else []
            )
            diff = diff_documents(
                old, document_lines(status.draft.title, status.draft.sections)
            )
        documents.append(
            {
                "status": status,
                "diff": diff,
                "live_reading": document_readability(status.live.sections)
                if status.live
                else None,
                "draft_reading": document_readability(status.draft.sections)
                if status.draft
                else None,
            }
        )
    return render(
        request,
        "notices/staff/review.html",
        {"documents": documents, "profile": city_profile_get()},
    )


@staff_required(perm=PUBLISH)
@require_safe
def draft_preview(request: HttpRequest, kind: str) -> HttpResponse:
    status = document_status(kind=kind)
    if status.draft is None:
        raise Http404("There is no draft.")
    return render(
        request,
        "notices/staff/draft_preview.html",
        {
            "kind": kind,
            "version": status.draft,
            "status": status,
            "reading": document_readability(status.draft.sections),
            "sections_reading": sections_readability(status.draft.sections),
        },
    )


@staff_required(perm=PUBLISH)
@require_POST
def draft_prepare(request: HttpRequest, kind: str) -> HttpResponse:
    label = DocumentVersion.Kind(kind).label
    try:
        draft = services.document_draft_prepare(kind=kind, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if draft is None:
            messages.info(
                request, f"The {label.lower()} already matches the live version."
            )
        else:
            messages.success(
                request,
                f"Draft version {draft.number} of the {label.lower()} is ready for "
                "review.",
            )
    return redirect(f"{reverse('notices:review')}#{kind}")


@staff_required(perm=PUBLISH)
@require_POST
def draft_discard(request: HttpRequest, kind: str) -> HttpResponse:
    label = DocumentVersion.Kind(kind).label
    try:
        services.document_draft_discard(kind=kind, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The draft of the {label.lower()} was discarded.")
    return redirect(f"{reverse('notices:review')}#{kind}")


@staff_required(perm=PUBLISH)
@require_POST
def publish(request: HttpRequest, kind: str) -> HttpResponse:
    label = DocumentVersion.Kind(kind).label
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        messages.error(request, "The form was incomplete; nothing was published.")
        return redirect("notices:review")
    try:
        version = services.document_publish(
            kind=kind,
            by=request.user,
            number=number,
            content_hash=request.POST.get("content_hash", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Version {version.number} of the {label.lower()} is now live.",
        )
    return redirect(f"{reverse('notices:review')}#{kind}")


def _notice_url(request: HttpRequest, account: Account) -> str:
    return request.build_absolute_uri(
        reverse("notices:account-notice", kwargs={"slug": account.slug})
    )


@staff_required
@require_safe
def account_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff view of an account's notice link: copy it, print its QR code."""
    account = get_object_or_404(
        Account.objects.select_related("platform", "department"), pk=pk
    )
    return render(
        request,
        "notices/staff/account_link.html",
        {"account": account, "notice_url": _notice_url(request, account)},
    )


@staff_required
@require_safe
def account_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """An SVG QR code of the account's notice URL, for printed material (P15)."""
    account = get_object_or_404(Account, pk=pk)
    image = qrcode.make(
        _notice_url(request, account),
        image_factory=qrcode.image.svg.SvgPathImage,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="notice-qr-{account.slug}.svg"'
        )
    return response


# Policy acknowledgments (P16-P18) ----------------------------------------------


@staff_required(perm="notices.add_policyacknowledgment")
@require_POST
def policy_acknowledge(request: HttpRequest) -> HttpResponse:
    """A manager acknowledges the live policy version themselves (self-service)."""
    live = document_version_live(kind="policy")
    number = request.POST.get("number", "")
    if live is None or number != str(live.number):
        messages.error(
            request,
            "That version of the policy is no longer the live one: read the "
            "current version and acknowledge it.",
        )
        return redirect("core:dashboard")
    try:
        services.policy_acknowledge(version=live, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Thank you: your acknowledgment of version {live.number} of the "
            "policy is recorded.",
        )
    return redirect("core:dashboard")


@staff_required(perm="notices.view_policyacknowledgment")
@require_safe
def policy_acknowledgments(request: HttpRequest) -> HttpResponse:
    """Who has and hasn't acknowledged the live policy version, and how many
    acknowledged each earlier one."""
    live = document_version_live(kind="policy")
    rows = policy_acknowledgment_table(version=live) if live else []
    return render(
        request,
        "notices/staff/acknowledgments.html",
        {
            "live": live,
            "rows": rows,
            "missing": sum(1 for row in rows if row.acknowledged is None),
            "counts": policy_acknowledgment_counts(),
        },
    )
