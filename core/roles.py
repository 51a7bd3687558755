"""The staff roles of the design (Django groups) and the permissions each holds.

A role is a group that holds permissions; code never tests a group's name, it asks
``user.has_perm(...)`` (``core.permissions.require`` in a service). Each app declares
what each role holds in ``<app>/permissions.py`` (``ROLE_PERMISSIONS``, next to its
models and its object rules). Groups are created by a data migration; after every
``migrate`` each role's permissions are added to its group (never removed, so a
city's own additions survive).
"""

from __future__ import annotations

from typing import Any

CITY_ADMINISTRATOR = "City Administrator"
SOCIAL_MEDIA_MANAGER = "Social Media Manager"
RECORDS_OFFICER = "Records Officer"
CITY_ATTORNEY = "City Attorney"

ROLES = (CITY_ADMINISTRATOR, SOCIAL_MEDIA_MANAGER, RECORDS_OFFICER, CITY_ATTORNEY)


def role_permissions() -> dict[str, set[str]]:
    """Return every role's permissions, as the installed apps declare them in
    ``<app>/permissions.py`` (``ROLE_PERMISSIONS``)."""
    from importlib import import_module

    from django.apps import apps

    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(perms)
    return merged


def sync_role_permissions(*, using: str = "default") -> None:
    """Create the role groups and add each role's permissions to its group."""
    from django.contrib.auth.models import Group, Permission

    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*[by_name[p] for p in perms if p in by_name])


def role_names(user: Any) -> frozenset[str]:
    """Return the names of the roles ``user`` holds (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached
