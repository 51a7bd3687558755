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

# "app_label.codename" for every permission a role holds, of the apps that have
# not yet moved theirs to ``<app>/permissions.py`` (core's own, the sign-in
# security records').
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {
        "core.view_auditevent",
        "core.view_holiday",
        # Every email sent or waiting (core.outbox).
        "core.view_outboxmessage",
        "core.add_holiday",
        "core.change_holiday",
        "core.delete_holiday",
        # Sign-in security: unlock lockouts, reset a lost second factor.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    },
    SOCIAL_MEDIA_MANAGER: set(),
    RECORDS_OFFICER: {"core.view_auditevent"},
    CITY_ATTORNEY: set(),
}


def role_permissions() -> dict[str, set[str]]:
    """Return every role's permissions, as the installed apps declare them in
    ``<app>/permissions.py`` (``ROLE_PERMISSIONS``)."""
    from importlib import import_module

    from django.apps import apps

    merged = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
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


def has_role(user: Any, *roles: str) -> bool:
    """Return True when ``user`` holds any of ``roles`` (superusers hold them all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(role_names(user) & set(roles))
