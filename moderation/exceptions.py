"""Domain errors of the moderation app (raised below the views, never HTTP errors)."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = [
    "RemovalAlreadyRestored",
    "RemovalNotPermitted",
    "RemovalValidationError",
]


class RemovalNotPermitted(PermissionDenied):
    """The user may not log or amend removals for this account (P11)."""


class RemovalValidationError(ValidationError):
    """The removal (or amendment) is invalid; ``message_dict`` names the fields."""


class RemovalAlreadyRestored(RemovalValidationError):
    """The comment was already restored; a decision is restored at most once."""
