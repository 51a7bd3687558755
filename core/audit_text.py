"""Audit events in plain words, for the people who read the history.

    Dana Reyes (Social Media Manager) acknowledged the appeal.

Each app names its actions in its ``AppConfig.audit_phrases`` (``{"appeal.answered":
"answered the appeal"}``), next to the services that record them; an action no app
names is shown as its words ("holiday: created"), never as a code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps


@cache
def _phrases() -> dict[str, str]:
    phrases: dict[str, str] = {}
    for config in apps.get_app_configs():
        phrases.update(getattr(config, "audit_phrases", {}))
    return phrases


def action_phrase(action: str) -> str:
    """Return what ``action`` did, as a verb phrase ("answered the appeal")."""
    phrase = _phrases().get(action)
    if phrase:
        return phrase
    *subject, verb = action.replace("_", " ").split(".")
    words = " ".join(part for part in subject if part not in ("moderation",)).strip()
    return f"{words}: {verb}" if words else verb


def actor_name(event: Any) -> str:
    """Return who acted: the person's full name (their user name if they have
    none), or "The system" for a scheduled job."""
    actor = getattr(event, "actor", None)
    if actor is None:
        return (
            "The system" if event.actor_label in ("", "system") else event.actor_label
        )
    return actor.get_full_name() or actor.get_username()


def sentence(event: Any) -> str:
    """Return the event as one sentence: who did what."""
    return f"{actor_name(event)} {action_phrase(event.action)}."
