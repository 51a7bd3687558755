from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notices.factories import publish_both


@pytest.fixture
def published(city_profile: Any, city_admin: Any) -> dict[str, Any]:
    """Version 1 of the notice and of the policy, live, for the factory city."""
    return publish_both(by=city_admin)


@pytest.fixture(scope="module", autouse=True)
def _restore_migrated_data(django_db_blocker: Any) -> Iterator[None]:
    """Run each module of these tests from, and leave it with, the database as the
    migrations left it (groups, platforms, removal categories).

    Under ``--dist loadfile`` a transactional test of another file may run earlier
    in the same process and end with a flush that empties the rows the data
    migrations created; the browser tests here are transactional themselves. The
    snapshot is the one ``serialized_rollback`` keeps (taken when the test database
    is created, because the browser tests ask for it); without it nothing is done.
    """
    from django.core.management import call_command
    from django.db import connections

    def restore() -> None:
        with django_db_blocker.unblock():
            for alias in connections:
                contents = getattr(
                    connections[alias], "_test_serialized_contents", None
                )
                if contents is None:
                    continue
                call_command(
                    "flush",
                    database=alias,
                    interactive=False,
                    inhibit_post_migrate=True,
                    verbosity=0,
                )
                connections[alias].creation.deserialize_db_from_string(contents)

    restore()
    yield
    restore()
