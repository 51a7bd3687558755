"""The text offered to the manager to send to the author of a removed comment.

Built from the categories of the decision (P21, in our plain words and the city's
local explanation) and the appeal instructions of the public notice (N6, P22), all
read from the city profile; nothing about the city is hard-coded.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.selectors import city_profile_get
from moderation.models import RemovalCategory, RemovalDecision
from moderation.selectors import removal_current


def appeal_form_url(request: HttpRequest | None = None) -> str:
    """Return the public appeal form's address, or '' while it does not exist."""
    try:
        path = reverse("appeals:appeal-new")
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path) if request is not None else path


def _notice_url(decision: RemovalDecision, request: HttpRequest | None) -> str:
    version = decision.notice_version
    if version is None:
        return ""
    try:
        path = version.get_absolute_url()
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path) if request is not None else path


def removal_notification_text(
    *, decision: RemovalDecision, request: HttpRequest | None = None
) -> str:
    """Return the message to send to the author: what was removed, under which
    categories and why they apply, and how to appeal in writing (N6, P22)."""
    profile = city_profile_get()
    current = removal_current(decision)
    categories = list(
        RemovalCategory.objects.filter(number__in=current["categories"]).order_by(
            "number"
        )
    )
    city = f"City of {profile.city_name}" if profile else "city"
    removed = timezone.localtime(current["removed_at"])
    account = decision.account
    lines: list[str] = []
    greeting = decision.author_name.strip() or decision.author_handle.strip()
    lines.append(f"Hello {greeting}," if greeting else "Hello,")
    lines.append("")
    lines.append(
        f"On {removed:%B} {removed.day}, {removed:%Y}, the {city} removed your "
        f"comment on its {account.platform.name} account {account.handle} "
        f"(our reference: {decision.reference})."
    )
    lines.append("")
    lines.append(
        "Under the city's social media policy, a comment may be removed only if it "
        "falls into one of eight categories. We removed yours because it falls into "
        + ("this category:" if len(categories) == 1 else "these categories:")
    )
    for category in categories:
        lines.append(
            f"- {category.number}. {category.name}: {category.full_explanation}"
        )
    lines.append("")
    lines.append(
        "You may appeal in writing. Explain why your comment does not fall into "
        + ("this category" if len(categories) == 1 else "any of these categories")
        + f" and ask us to reconsider, quoting the reference {decision.reference}."
    )
    url = appeal_form_url(request)
    if url:
        lines.append(f"- Online: {url}")
    if profile is not None:
        lines.append(f"- By email: {profile.appeal_email}")
        address = ", ".join(
            part.strip()
            for part in profile.appeal_postal_address.splitlines()
            if part.strip()
        )
        lines.append(f"- By mail: {address}")
        lines.append("")
        lines.append(
            f"Your appeal goes to the {profile.appeal_contact}; you will receive a "
            "written response as soon as reasonably possible."
        )
    notice = _notice_url(decision, request)
    if notice:
        lines.append("")
        lines.append(
            f"The public notice for our accounts explains these rules: {notice}"
        )
    return "\n".join(lines)


def notification_context(
    *, decision: RemovalDecision, request: HttpRequest | None = None
) -> dict[str, Any]:
    profile = city_profile_get()
    return {
        "notification_text": removal_notification_text(
            decision=decision, request=request
        ),
        "appeal_url": appeal_form_url(request),
        "profile": profile,
    }
