"""The one family of errors a service raises when the rules refuse a change.

Every service in every app raises these, never an HTTP error and never an app's own
base class: a page, an admin action, a Celery task or a command catches
``DomainError`` (or Django's ``ValidationError``, of which it is a kind) and shows
``str(error)`` as it is, through :func:`core.forms.show_errors` on a form or
``messages.error`` elsewhere. ``NotPermitted`` that reaches a view unhandled becomes
the 403 page (``core.middleware.DomainErrorMiddleware``).

    raise InvalidTransition("AP-2026-00001 is answered; it cannot be reassigned.")
    raise DomainError("Give a reason: it is kept in the record.", field="reason")

A ``DomainError`` is a ``ValidationError``, so ``form.add_error(None, error)`` puts
an error about a field next to that field, and ``full_clean()``'s own errors are
shown by the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A change the rules refuse; ``str(error)`` is the message for the person.

    ``field`` names the form field the message is about, when there is one.
    """

    default_code = "refused"

    def __init__(self, message: str, *, field: str | None = None, code: str = ""):
        self.text = str(message)
        self.field = field
        self.kind = code = code or self.default_code
        if field:
            super().__init__({field: [ValidationError(self.text, code=code)]})
        else:
            super().__init__(self.text, code=code)

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> Any:
        # Exceptions are rebuilt from their args, which ValidationError sets to
        # its own; rebuild this one from what it was given (copy, pickle).
        return (_rebuild, (type(self), self.text, self.field, self.kind))


def _rebuild(
    cls: type[DomainError], text: str, field: str | None, code: str
) -> DomainError:
    return cls(text, field=field, code=code)


class NotPermitted(DomainError):
    """The acting person's permissions do not allow this (P3, P11, P12...)."""

    default_code = "not_permitted"


class InvalidTransition(DomainError):
    """The record's status does not allow this step now."""

    default_code = "invalid_transition"


class MissingRecord(DomainError):
    """A record the step needs does not exist (yet), e.g. the city profile."""

    default_code = "missing"


def ensure_status(record: Any, *, allowed: Iterable[str], doing: str) -> None:
    """Refuse ``doing`` unless ``record.status`` is one of ``allowed``.

    The one status guard every transition starts with (``record`` has a nested
    ``Status`` TextChoices and a ``status`` field).
    """
    allowed = tuple(allowed)
    if record.status in allowed:
        return
    names = " or ".join(f"“{record.Status(s).label}”" for s in allowed)
    raise InvalidTransition(
        f"{record} cannot be {doing}: it is “{record.get_status_display()}”, "
        f"and only {names} can be."
    )


def messages_of(error: ValidationError) -> list[str]:
    """Return the plain messages of ``error``, field errors included."""
    if isinstance(error, DomainError):
        return [error.text]
    return [str(message) for message in error.messages]
