"""P19 follow-ups: what a message and a captured comment share.

P19: "When a resident starts a request, application or question through social media
that affects city business or needs another city process, the city follows up by
phone, email or another channel." A record that can start such a request
(``retention.Message``, ``platforms.CapturedComment``) inherits the fields of
:class:`FollowUpFields` and declares :func:`recorded_fully` among its constraints;
its app's services lock it, check who may act on it (``require``) and call
:func:`flag` or :func:`record` here, which save it and record one audit event.
Its staff page is shared too: :func:`page_forms` gives the two forms
(:class:`FlagForm`, :class:`RecordForm`, for any such record) and handles their
POST by calling the app's two services; ``core/_follow_up_forms.html`` draws
them and ``_follow_up_status.html`` what was done. The purge of each record's
series keeps it while it waits (:func:`waiting_q`) and clears the note when it
destroys it (the reference stays).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.formats import date_format

from core import audit, clock
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from core.forms import show_errors

REFERENCE_MAX = 100
NOTE_MAX = 2000

# What the services save: flagging, then recording.
FLAG_FIELDS = [
    "follow_up_flagged_at",
    "follow_up_flagged_by",
    "follow_up_due_on",
    "follow_up_reference",
]
RECORD_FIELDS = [
    "follow_up_flagged_at",
    "follow_up_flagged_by",
    "follow_up_channel",
    "follow_up_note",
    "follow_up_reference",
    "follow_up_at",
    "follow_up_by",
]


class Channel(models.TextChoices):
    """How the city followed up (P19: phone, email or another channel)."""

    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    OTHER = "other", "Other"


class FollowUpFields(models.Model):
    """The follow-up of a record that starts a business request (P19)."""

    follow_up_flagged_at = models.DateTimeField(null=True, blank=True)
    follow_up_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # each index on a purged table costs a write per row
    )
    follow_up_due_on = models.DateField(
        "follow-up due",
        null=True,
        blank=True,
        help_text="When the city should have followed up by.",
    )
    follow_up_reference = models.CharField(
        "process reference",
        max_length=REFERENCE_MAX,
        blank=True,
        help_text="The city process that handles the request: a service request, "
        "permit application or case number.",
    )
    follow_up_channel = models.CharField(
        "how the city followed up",
        max_length=10,
        choices=Channel.choices,
        blank=True,
    )
    follow_up_note = models.TextField(
        "follow-up note",
        max_length=NOTE_MAX,
        blank=True,
        help_text="What was done: who was called or written to, and the outcome.",
    )
    follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True


def recorded_fully(name: str) -> models.CheckConstraint:
    """A follow-up is recorded with who flagged it, who followed up and how."""
    return models.CheckConstraint(
        condition=Q(follow_up_at__isnull=True)
        | (
            Q(follow_up_flagged_at__isnull=False)
            & Q(follow_up_by__isnull=False)
            & ~Q(follow_up_channel="")
        ),
        name=name,
    )


def waiting_q(prefix: str = "") -> Q:
    """The records flagged whose follow-up is not recorded yet (P19)."""
    return Q(
        **{
            f"{prefix}follow_up_flagged_at__isnull": False,
            f"{prefix}follow_up_at__isnull": True,
        }
    )


#: The order of a list of waiting records: the soonest due first, those with no
#: due date last.
SOONEST_DUE = (F("follow_up_due_on").asc(nulls_last=True), "follow_up_flagged_at", "id")


def is_waiting(record: Any) -> bool:
    return record.follow_up_flagged_at is not None and record.follow_up_at is None


def flag(
    record: Any, *, by: Any, due_on: date, reference: str = "", action: str
) -> None:
    """Flag ``record`` as a business request due by ``due_on`` (P19), save it and
    record the audit event ``action``. Refuses a record already flagged and a due
    date in the past. The caller has locked the record and checked ``by``."""
    if record.follow_up_flagged_at is not None:
        raise InvalidTransition(f"{record} is already flagged for follow-up.")
    if due_on < clock.today():
        raise DomainError(
            "The follow-up due date is in the past.", field="follow_up_due_on"
        )
    record.follow_up_flagged_at = clock.now()
    record.follow_up_flagged_by = by
    record.follow_up_due_on = due_on
    record.follow_up_reference = reference.strip()
    _save(record, FLAG_FIELDS)
    audit.record_event(
        action=action,
        target=record,
        actor=by,
        data={"due_on": due_on, "reference": record.follow_up_reference},
    )


def record(
    record: Any,
    *,
    by: Any,
    channel: str,
    note: str,
    reference: str = "",
    action: str,
) -> None:
    """Record how the city followed up ``record`` (P19), what was done (the note)
    and the process that took it on; save it and record the audit event
    ``action``. A record not flagged before is flagged now, by the same person.
    The caller has locked the record and checked ``by``."""
    if channel not in Channel.values:
        raise DomainError("Choose phone, email or other.", field="follow_up_channel")
    if not note.strip():
        raise DomainError(
            "Say what was done: who was contacted and the outcome.",
            field="follow_up_note",
        )
    if record.follow_up_at is not None:
        raise InvalidTransition(
            f"The follow-up of {record} was already recorded on "
            f"{clock.moment_text(record.follow_up_at)} by {record.follow_up_by}."
        )
    now = clock.now()
    if record.follow_up_flagged_at is None:
        record.follow_up_flagged_at = now
        record.follow_up_flagged_by = by
    record.follow_up_channel = channel
    record.follow_up_note = note.strip()
    if reference.strip():
        record.follow_up_reference = reference.strip()
    record.follow_up_at = now
    record.follow_up_by = by
    _save(record, RECORD_FIELDS)
    audit.record_event(
        action=action,
        target=record,
        actor=by,
        data={"channel": channel, "reference": record.follow_up_reference},
        # The note may name the resident: personal, cleared by the purge (R4).
        personal={"note": record.follow_up_note},
    )


def _save(record: Any, fields: list[str]) -> None:
    record.full_clean()
    record.save(update_fields=fields)


# --- The staff page: one form for each step, on any record, and its POST ---------


def _form_field(name: str, **kwargs: Any) -> Any:
    """The form field of :class:`FollowUpFields`' ``name``, drawn as a ModelForm
    draws it (label, hint, length), with ``kwargs`` changed."""
    return cast(models.Field, FollowUpFields._meta.get_field(name)).formfield(**kwargs)


class FlagForm(forms.Form):
    """Flag a business request (P19): when the follow-up is due, and the city
    process that handles it."""

    follow_up_due_on = _form_field(
        "follow_up_due_on",
        required=True,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    follow_up_reference = _form_field("follow_up_reference")


class RecordForm(forms.Form):
    """Record the follow-up (P19): how, what was done, the process reference."""

    follow_up_channel = _form_field(
        "follow_up_channel",
        required=True,
        choices=Channel.choices,
        widget=forms.RadioSelect,
    )
    follow_up_note = _form_field(
        "follow_up_note", required=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_reference = _form_field("follow_up_reference")


#: The actions of a staff page's POST that :func:`page_forms` handles.
ACTIONS = ("flag", "follow_up")


@dataclass
class PageForms:
    """The two forms of a record's staff page, as ``core/_follow_up_forms.html``
    draws them (``flag_form``, ``form``), and what a POST did with them."""

    flag_form: FlagForm
    form: RecordForm
    posted: bool = False  # the POST's action was one of ACTIONS
    done: bool = False  # ... and the service did it: redirect


def page_forms(
    request: HttpRequest,
    item: Any,
    *,
    flag_service: Callable[..., object],
    record_service: Callable[..., object],
) -> PageForms:
    """The follow-up forms of ``item``'s staff page (P19), and the one handling
    of their POST: the form of the action "flag" or "follow_up" is bound and,
    when valid, its service is called with ``by`` and the form's data
    (``flag_service`` with ``due_on`` and ``reference``, ``record_service`` with
    ``channel``, ``note`` and ``reference``: the app's services, given ``item``
    by the view). Success is flashed (``done``: the view redirects); a refusal
    is shown on the form (the view renders the page again), except
    ``NotPermitted``, which goes on to the 403 page as everywhere
    (core.exceptions)."""
    page = PageForms(
        flag_form=FlagForm(prefix="flag"),
        form=RecordForm(
            initial={"follow_up_reference": item.follow_up_reference},
            prefix="record",
        ),
    )
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in ACTIONS:
        return page
    page.posted = True
    bound: forms.Form
    if action == "flag":
        bound = page.flag_form = FlagForm(request.POST, prefix="flag")
    else:
        bound = page.form = RecordForm(request.POST, prefix="record")
    if not bound.is_valid():
        return page
    data = bound.cleaned_data
    try:
        if action == "flag":
            flag_service(
                by=request.user,
                due_on=data["follow_up_due_on"],
                reference=data["follow_up_reference"],
            )
            done = (
                f"{item} flagged for follow-up (P19), due "
                f"{date_format(data['follow_up_due_on'])}."
            )
        else:
            record_service(
                by=request.user,
                channel=data["follow_up_channel"],
                note=data["follow_up_note"],
                reference=data["follow_up_reference"],
            )
            done = f"Follow-up of {item} recorded."
    except NotPermitted:
        raise
    except ValidationError as exc:
        show_errors(bound, exc)
        return page
    messages.success(request, done)
    page.done = True
    return page
