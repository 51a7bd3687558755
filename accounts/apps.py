from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts: registry, requests and manager access"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "account.approved": "approved the account",
        "account.changed": "changed the account's details",
        "account.checklist_verified": "verified the account's checklist",
        "account.checklist_withdrawn": "withdrew the account's checklist verification",
        "account.reactivated": "reactivated the account",
        "account.registered": "registered the account",
        "account.shut_down": "shut the account down",
        "account.suspended": "suspended the account",
        "account_request.approved": "approved the account request",
        "account_request.changed": "changed the account request",
        "account_request.created": "drafted an account request",
        "account_request.denied": "denied the account request",
        "account_request.submitted": "submitted the account request",
        "account_request.withdrawn": "withdrew the account request",
        "accounts.user.deactivated": "turned off a person's sign-in",
        "accounts.user.password_set": "set a person's password",
        "manager_access.granted": "granted manager access",
        "manager_access.recertified": "confirmed manager access at its review",
        "manager_access.review_overdue_reported": "reported overdue access reviews",
        "manager_access.revoked": "revoked manager access",
        "offboarding.completed": "completed an offboarding",
        "offboarding.sign_in_kept": "kept a person's sign-in after offboarding",
        "offboarding.started": "started an offboarding",
        "offboarding.step_completed": "completed an offboarding step",
    }

    def ready(self) -> None:
        from accounts import dashboard as panels
        from core import dashboard

        dashboard.register(panels.non_compliant_panel)
        dashboard.register(panels.overdue_reviews_panel)
        dashboard.register(panels.pending_requests_panel)
