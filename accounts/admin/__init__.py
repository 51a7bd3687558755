"""The accounts admin: changelists with search and filters, actions that call the
services, and per-role permissions (P3, P4, P11, P12).

Only holders of the workflow permissions (the City Administrator by default, see
``core.roles``) approve, shut down and grant; a Social Media Manager sees only the
accounts they manage and their own grants.

One module per part of the app, as in ``accounts.models`` and ``accounts.services``;
importing this package registers every model admin.
"""

from accounts.admin.access import (
    ManagerAccessAdmin,
    OffboardingAdmin,
    OffboardingStepInline,
    ReviewFilter,
)
from accounts.admin.account_requests import AccountRequestAdmin
from accounts.admin.city import (
    CityProfileAdmin,
    DepartmentAdmin,
    PlatformAdmin,
    UserAdmin,
)
from accounts.admin.common import HTTPS_URLS, history_html, run_form_action
from accounts.admin.registry import AccountAdmin, ChecklistForm, ComplianceFilter

__all__ = [
    "HTTPS_URLS",
    "AccountAdmin",
    "AccountRequestAdmin",
    "ChecklistForm",
    "CityProfileAdmin",
    "ComplianceFilter",
    "DepartmentAdmin",
    "ManagerAccessAdmin",
    "OffboardingAdmin",
    "OffboardingStepInline",
    "PlatformAdmin",
    "ReviewFilter",
    "UserAdmin",
    "history_html",
    "run_form_action",
]
