"""Reference rows the data migrations create, restored after every ``migrate`` and
database flush.

The platforms (P9), the staff role groups, the eight removal categories (P21) and
the default retention schedule (R2) are seeded by data migrations. A flush (``manage.py
flush``, and the end of every transactional test) empties every table and then sends
``post_migrate``; without this the product would be left without them. Each seed
function only adds what is missing.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as global_apps
from django.db import connections

# (model whose table must exist, migration module, seed function)
SEEDS = (
    ("accounts.Platform", "accounts.migrations.0002_seed_platforms_and_roles", "seed"),
    (
        "moderation.RemovalCategory",
        "moderation.migrations.0002_seed_categories",
        "seed",
    ),
    (
        "retention.RetentionSchedule",
        "retention.migrations.0002_schedule_rows_and_log_trigger",
        "seed_rows",
    ),
    (
        "retention.RetentionSchedule",
        "retention.migrations.0005_captured_comments_series",
        "seed_rows",
    ),
    (
        "retention.RetentionSchedule",
        "retention.migrations.0009_held_records",
        "seed_rows",
    ),
)


def restore_reference_data(*, using: str = "default") -> list[str]:
    """Run every seed whose table exists; return the models seeded."""
    tables = set(connections[using].introspection.table_names())
    seeded = []
    for label, module, function in SEEDS:
        if global_apps.get_model(label)._meta.db_table not in tables:
            continue  # migrated only part of the way
        getattr(importlib.import_module(module), function)(global_apps, None)
        seeded.append(label)
    return seeded


def on_post_migrate(sender: Any, using: str = "default", **_kwargs: Any) -> None:
    """Once per migrate or flush (on the last app's signal): restore the reference
    rows, then give the role groups their permissions."""
    from core.roles import sync_role_permissions

    if sender.name != list(global_apps.get_app_configs())[-1].name:
        return
    restore_reference_data(using=using)
    sync_role_permissions(using=using)
