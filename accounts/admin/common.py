"""What the accounts admin pages share: the action that asks for a reason before
calling a service, and the audit history shown on change pages (P3, P4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from core import audit, clock
from core.exceptions import messages_of

__all__ = ["HTTPS_URLS", "history_html", "run_form_action"]

# Addresses typed without a scheme are taken as https (Django 6 default).
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"}
}


def run_form_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    apply: Callable[[Any, dict[str, Any]], Any],
    done: str,
) -> HttpResponse | None:
    """An admin action that first asks for a reason (or other input), then calls
    ``apply(obj, cleaned_data)`` (a service) for each selected record.

    Each record is its own transaction: a refused one is reported by name and left
    exactly as it was.
    """
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            succeeded = 0
            for obj in queryset:
                label = str(obj)
                try:
                    apply(obj, form.cleaned_data)
                except ValidationError as exc:
                    text = " ".join(messages_of(exc))
                    if label not in text:
                        text = f"{label}: {text}"
                    modeladmin.message_user(request, text, messages.ERROR)
                else:
                    succeeded += 1
            if succeeded:
                modeladmin.message_user(
                    request,
                    done.format(count=succeeded, s=pluralize(succeeded)),
                    messages.SUCCESS,
                )
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/accounts/action_form.html", context)


def history_html(obj: Any) -> str:
    """The audit events about ``obj``, newest first, for its change page (P4)."""
    if obj is None or obj.pk is None:
        return "-"
    events = list(audit.events_for(obj).select_related("actor"))[::-1]
    if not events:
        return "No recorded changes."
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{} · {} · {}{}</li>",
            (
                (
                    clock.moment_text(e.occurred_at),
                    e.action,
                    e.actor_label,
                    f" · {e.reason}" if e.reason else "",
                )
                for e in events
            ),
        ),
    )
