from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts: registry, requests and manager access"

    def ready(self) -> None:
        from accounts import dashboard as panels
        from accounts import (
            handover,
            permissions,  # noqa: F401 (registers the object rules)
        )
        from accounts.services import UnmanagedAccounts
        from core import dashboard

        handover.register(UnmanagedAccounts())

        dashboard.register(panels.non_compliant_panel)
        dashboard.register(panels.unmanaged_panel)
        dashboard.register(panels.overdue_reviews_panel)
        dashboard.register(panels.pending_requests_panel)
