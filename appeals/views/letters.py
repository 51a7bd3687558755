"""The mail queue: every letter to a resident waiting to be printed and mailed,
printable one per page with the resident's name and address, and marked mailed
with who and when (P22, P23)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from accounts.selectors import city_profile_get
from appeals import selectors, services
from appeals.models import Appeal, LegalityChallenge
from core.auth import staff_required
from core.exceptions import messages_of
from core.ids import parse_id


def _require_handler(request: HttpRequest) -> None:
    if not selectors.handled_kinds(request.user):
        raise PermissionDenied


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def mail_queue(request: HttpRequest) -> HttpResponse:
    """The letters to mail; printing the page prints each on its own sheet."""
    _require_handler(request)
    if request.method == "POST":
        letter = get_object_or_404(
            selectors.letter_list_by_mail(user=request.user),
            pk=parse_id(request.POST.get("letter")) or 0,
        )
        try:
            services.correspondence_mark_mailed(correspondence=letter, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(messages_of(exc)))
        else:
            messages.success(
                request,
                f"{letter} is marked as mailed to {letter.filing.name} by you.",
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}
        ):
            target = reverse("appeals:letters")
        return redirect(target)
    return render(
        request,
        "appeals/staff/letters.html",
        {
            "letters": list(selectors.letter_list_to_mail(user=request.user)),
            "profile": city_profile_get(),
        },
    )


@staff_required
@require_safe
def letter_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One letter, as printed: the city's return address, the resident's name and
    address, the date and the text exactly as kept. Whoever may read the
    filing's correspondence may print it; its handlers mark it mailed."""
    if not (
        selectors.can_view(request.user, Appeal)
        or selectors.can_view(request.user, LegalityChallenge)
    ):
        raise PermissionDenied
    letter = get_object_or_404(
        selectors.correspondence_visible_to(user=request.user)
        .filter(delivery="mail")
        .select_related("appeal", "challenge", "marked_by"),
        pk=pk,
    )
    return render(
        request,
        "appeals/staff/letter.html",
        {
            "letter": letter,
            "profile": city_profile_get(),
            "can_mark": services.can_handle(request.user, letter.filing),
        },
    )
