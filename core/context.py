"""Who is acting, from where: set per request by the middleware, read by the audit."""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    user: Any = None
    ip: str | None = None


NOBODY = ActorContext()
current_actor: ContextVar[ActorContext] = ContextVar("current_actor")


def get_actor() -> ActorContext:
    """Return who is acting now (nobody outside a request: jobs, commands)."""
    return current_actor.get(NOBODY)
