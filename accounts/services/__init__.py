"""Every state change of the accounts app (P3-P14, P17, P18).

One function per change, keyword-only; each checks who is acting and the current
state, validates, writes its audit events and runs in one transaction. Views, forms,
admin actions and the Celery task only call these.

Who may do what is a Django permission (held by the City Administrator group by
default, see ``accounts.permissions``), so a city whose approving authority is a
designee (P12) can give that person the same permissions.
"""

from accounts.services._base import (
    PERM_CHANGE_ACCOUNT,
    PERM_CHECKLIST,
    PERM_DECIDE,
    PERM_GRANT,
    PERM_STATUS,
    accounts_in_service_count,
    cap_problem,
)
from accounts.services.access import (
    UnmanagedAccounts,
    access_grant,
    access_recertify,
    access_review_report_overdue,
    access_revoke,
    offboarding_hand_over,
    offboarding_start,
    offboarding_step_complete,
)
from accounts.services.account_requests import (
    account_request_approve,
    account_request_create,
    account_request_deny,
    account_request_submit,
    account_request_update,
    account_request_withdraw,
)
from accounts.services.incidents import incident_close, incident_record
from accounts.services.registry import (
    CHECKLIST_LABELS,
    account_checklist_verify,
    account_checklist_withdraw,
    account_reactivate,
    account_register,
    account_shut_down,
    account_suspend,
    account_update,
    account_update_problem,
)
from accounts.services.retention import account_request_destroy

__all__ = [
    "CHECKLIST_LABELS",
    "PERM_CHANGE_ACCOUNT",
    "PERM_CHECKLIST",
    "PERM_DECIDE",
    "PERM_GRANT",
    "PERM_STATUS",
    "UnmanagedAccounts",
    "access_grant",
    "access_recertify",
    "access_review_report_overdue",
    "access_revoke",
    "account_checklist_verify",
    "account_checklist_withdraw",
    "account_reactivate",
    "account_register",
    "account_request_approve",
    "account_request_create",
    "account_request_deny",
    "account_request_destroy",
    "account_request_submit",
    "account_request_update",
    "account_request_withdraw",
    "account_shut_down",
    "account_suspend",
    "account_update",
    "account_update_problem",
    "accounts_in_service_count",
    "cap_problem",
    "incident_close",
    "incident_record",
    "offboarding_hand_over",
    "offboarding_start",
    "offboarding_step_complete",
]
