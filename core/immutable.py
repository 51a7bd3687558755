"""One immutability mechanism for the records the law requires to keep.

An append-only model declares, once, what of it is fixed after it is written, with
an :class:`AppendOnly` rule, and enforces it twice from that one declaration:

* in PostgreSQL, by django-pgtrigger triggers declared in the model's ``Meta``
  (``triggers = RULE.triggers()``): raw SQL, a shell or another program cannot
  change, delete or ``TRUNCATE`` a record either;
* in the model and queryset layer (:class:`AppendOnlyModel`,
  :class:`AppendOnlyQuerySet`), so SQLite (the embedded demo) and every other
  database refuse the same things in Python, with :class:`ImmutableError`.

    RULE = immutable.AppendOnly(redactable=("author_name", "redacted_at"),
                                purge_deletes=True)

    class RemovalDecision(immutable.AppendOnlyModel):
        append_only = RULE
        objects = immutable.AppendOnlyQuerySet.as_manager()

        class Meta:
            triggers = RULE.triggers()

What a rule may allow, and nothing else:

* ``redactable``: columns the retention purge may clear (R2, R4): personal data and
  ``redacted_at``. Only inside :func:`retention_purge`.
* ``purge_deletes``: the retention purge may delete records (R2). Only inside
  :func:`retention_purge`.
* ``open_while``: ``(field, value)``: a row in that state is not a record yet (a
  draft notice) and may be changed or deleted freely.
* ``transition``: the one change a record may make outside the purge, e.g. a live
  notice version becoming superseded (and the time it happened).

``TRUNCATE`` is refused on every append-only table, always: the product has no
reason to empty one, and the purge never does.

**The one escape** is :func:`retention_purge`, a context manager built on
``pgtrigger.ignore``: inside it (in this thread only) the purge may redact and
delete what the rules let it. It never opens the other triggers: even the purge
cannot rewrite what a record says, delete an audit event or the destruction log,
or truncate a table.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pgtrigger
from django.db import models

from core.exceptions import DomainError

if TYPE_CHECKING:
    from django.db.models.base import Model

__all__ = [
    "AppendOnly",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ImmutableError",
    "Transition",
    "purge_in_progress",
    "retention_purge",
]

# The names of the triggers a rule declares (pgtrigger URIs are
# "<app_label>.<Model>:<name>").
FIXED = "append_only_fixed"  # never ignored: what a record says
REDACT = "append_only_redact"  # ignored inside retention_purge()
DELETE = "append_only_delete"  # ignored inside retention_purge() if purge_deletes
TRUNCATE = "append_only_truncate"  # never ignored

_purging: ContextVar[bool] = ContextVar("citysocial_retention_purge", default=False)


class ImmutableError(DomainError):
    """A change to a record that stands as written: refused (the one error class of
    every append-only model; a refusal of the project's one error family)."""

    default_code = "immutable"


@dataclass(frozen=True)
class Transition:
    """The one change a record may make: ``field`` from ``source`` to ``target``,
    with the ``stamps`` (e.g. the time it happened) set in the same update."""

    field: str
    source: str
    target: str
    stamps: tuple[str, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset((self.field, *self.stamps))


class _All(pgtrigger.Condition):
    """Every condition holds (pgtrigger resolves each against the model)."""

    def __init__(self, *conditions: pgtrigger.Condition) -> None:
        self.conditions = conditions

    def resolve(self, model: type[Model]) -> str:
        # Whole in parentheses: pgtrigger writes it after WHEN as it is.
        return (
            "(" + " AND ".join(f"({c.resolve(model)})" for c in self.conditions) + ")"
        )


class _Any(_All):
    """At least one condition holds."""

    def resolve(self, model: type[Model]) -> str:
        return "(" + " OR ".join(f"({c.resolve(model)})" for c in self.conditions) + ")"


@dataclass(frozen=True)
class AppendOnly:
    """What of a model's rows is fixed once written (see the module docstring)."""

    redactable: tuple[str, ...] = ()
    purge_deletes: bool = False
    open_while: tuple[str, str] | None = None
    transition: Transition | None = None

    # --- PostgreSQL --------------------------------------------------------------

    def triggers(self) -> list[pgtrigger.Trigger]:
        """Return the pgtrigger triggers for the model's ``Meta.triggers``."""
        allowed = [
            *self.redactable,
            *(self.transition.fields if self.transition else ()),
        ]
        fixed: pgtrigger.Condition = pgtrigger.AnyChange(exclude=allowed)
        if self.transition:
            t = self.transition
            fixed = _Any(
                fixed,
                _All(
                    pgtrigger.AnyChange(*t.fields),
                    ~pgtrigger.Q(
                        **{f"old__{t.field}": t.source, f"new__{t.field}": t.target}
                    ),
                ),
            )
        triggers = [
            pgtrigger.Protect(
                name=FIXED,
                operation=pgtrigger.Update,
                condition=self._on_records(fixed),
            ),
            pgtrigger.Protect(
                name=DELETE,
                operation=pgtrigger.Delete,
                condition=self._on_records(None),
            ),
            # Statement level: TRUNCATE has no rows to look at. pgtrigger.Protect
            # builds statement-level triggers from transition tables, which
            # TRUNCATE has none of, so this one is written out.
            pgtrigger.Trigger(
                name=TRUNCATE,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                func=(
                    "RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its "
                    "records are append-only', TG_TABLE_NAME;"
                ),
            ),
        ]
        if self.redactable:
            triggers.insert(
                1,
                pgtrigger.Protect(
                    name=REDACT,
                    operation=pgtrigger.Update,
                    condition=self._on_records(pgtrigger.AnyChange(*self.redactable)),
                ),
            )
        return triggers

    def _on_records(
        self, condition: pgtrigger.Condition | None
    ) -> pgtrigger.Condition | None:
        if self.open_while is None:
            return condition
        field, value = self.open_while
        record = ~pgtrigger.Q(**{f"old__{field}": value})
        return record if condition is None else _All(record, condition)

    def purge_trigger_names(self) -> list[str]:
        """The triggers :func:`retention_purge` ignores for this rule."""
        names = [REDACT] if self.redactable else []
        return names + ([DELETE] if self.purge_deletes else [])

    # --- Python ------------------------------------------------------------------

    def records(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """The rows of ``queryset`` that are records (not open drafts)."""
        if self.open_while is None:
            return queryset
        field, value = self.open_while
        return queryset.exclude(**{field: value})

    def is_open(self, values: dict[str, Any]) -> bool:
        if self.open_while is None:
            return False
        field, value = self.open_while
        return bool(values.get(field) == value)

    def check_change(
        self,
        label: str,
        changed: Collection[str],
        *,
        sources: Collection[Any] = (),
        target: Any = None,
    ) -> None:
        """Refuse changing the ``changed`` fields of records of ``label`` whose
        ``transition.field`` holds the ``sources`` values and would hold ``target``.
        """
        changed = set(changed)
        transition = self.transition
        moving = transition.fields if transition else frozenset()
        fixed = changed - set(self.redactable) - moving
        if fixed:
            raise ImmutableError(
                f"{label} stands as written: {', '.join(sorted(fixed))} cannot be "
                "changed."
            )
        if (
            transition
            and changed & moving
            and (target != transition.target or set(sources) - {transition.source})
        ):
            raise ImmutableError(
                f"{label} stands as written: only a {transition.source} one may "
                f"become {transition.target}."
            )
        if changed & set(self.redactable) and not _purging.get():
            raise ImmutableError(
                f"{label}: only the retention purge may redact "
                f"{', '.join(sorted(changed & set(self.redactable)))}."
            )

    def check_delete(self, label: str) -> None:
        if not (self.purge_deletes and _purging.get()):
            raise ImmutableError(
                f"{label} stands as written and cannot be deleted"
                + (", except by the retention purge." if self.purge_deletes else ".")
            )


def _rule(model: type[Model]) -> AppendOnly:
    rule = getattr(model, "append_only", None)
    if not isinstance(rule, AppendOnly):  # pragma: no cover - a programming error
        raise TypeError(f"{model._meta.label} declares no append_only rule")
    return rule


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk ``update`` and ``delete`` under the model's :class:`AppendOnly` rule."""

    def update(self, **kwargs: Any) -> int:
        rule = _rule(self.model)
        records = rule.records(self)
        if kwargs and records.exists():
            transition = rule.transition
            sources: Collection[Any] = ()
            target = None
            if transition and transition.fields & set(kwargs):
                sources = set(records.values_list(transition.field, flat=True))
                target = kwargs.get(transition.field)
            rule.check_change(
                self.model._meta.verbose_name_plural.capitalize(),
                kwargs,
                sources=sources,
                target=target,
            )
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        rule = _rule(self.model)
        if rule.records(self).exists():
            rule.check_delete(self.model._meta.verbose_name_plural.capitalize())
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    """A model whose rows stand as written, under its ``append_only`` rule.

    ``save()`` of a stored row compares it with what the database holds (one
    read) and refuses what the rule refuses; ``delete()`` likewise.
    """

    append_only: ClassVar[AppendOnly]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            stored = self._stored()
            rule = _rule(type(self))
            if stored is not None and not rule.is_open(stored):
                only = kwargs.get("update_fields")
                changed = [
                    f.name
                    for f in self._meta.concrete_fields
                    if (only is None or f.name in only or f.attname in only)
                    and getattr(self, f.attname) != stored[f.attname]
                ]
                transition = rule.transition
                rule.check_change(
                    str(self),
                    changed,
                    sources=[stored[transition.field]] if transition else (),
                    target=getattr(self, transition.field) if transition else None,
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        stored = self._stored()
        rule = _rule(type(self))
        if stored is not None and not rule.is_open(stored):
            rule.check_delete(str(self))
        return super().delete(*args, **kwargs)

    def _stored(self) -> dict[str, Any] | None:
        """Return the row as the database holds it (None if it is gone)."""
        fields = [f.attname for f in self._meta.concrete_fields]
        return type(self)._base_manager.filter(pk=self.pk).values(*fields).first()


def _purge_trigger_uris() -> list[str]:
    from django.apps import apps

    uris = []
    for model in apps.get_models():
        rule = getattr(model, "append_only", None)
        if isinstance(rule, AppendOnly):
            uris += [
                f"{model._meta.label}:{name}" for name in rule.purge_trigger_names()
            ]
    return uris


def purge_in_progress() -> bool:
    """Return True inside :func:`retention_purge` (in this thread)."""
    return _purging.get()


@contextmanager
def retention_purge() -> Iterator[None]:
    """The one escape from immutability: let the retention purge redact and delete
    records as their rules allow, under the schedule (R2, R4), in this thread.

    On PostgreSQL it is ``pgtrigger.ignore`` of the rules' redaction and deletion
    triggers (each statement in the block carries a transaction-local setting the
    triggers read, so the permission ends with the block); in Python it lifts the
    same two refusals of :class:`AppendOnlyQuerySet` and :class:`AppendOnlyModel`.
    Enter it outside the transaction when it can: ``pgtrigger.ignore`` resets its
    setting on the way out, which an aborted transaction refuses.
    """
    uris = _purge_trigger_uris()
    if not uris:  # pgtrigger.ignore() without URIs would ignore every trigger
        raise RuntimeError("No append-only rule lets the retention purge in.")
    token = _purging.set(True)
    try:
        with pgtrigger.ignore(*uris):
            yield
    finally:
        _purging.reset(token)
