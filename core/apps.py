from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: audit trail and shared services"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "audit.redacted": "cleared personal data from the audit trail",
        "security.backup_codes_generated": "made new backup sign-in codes",
        "security.lockout_released": "released a sign-in lockout",
        "security.two_factor_disabled": "removed an authenticator app",
        "security.two_factor_enabled": "set up an authenticator app",
        "system.worker_heartbeat": "checked that the background jobs run",
    }

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from core import dashboard, reference_data

        # Every app's <app>/permissions.py, as the admin finds admin.py: its object
        # rules (``rules.add_perm``) must exist in every process (web, worker,
        # a management command), not only once something happens to import it.
        autodiscover_modules("permissions")
        post_migrate.connect(reference_data.on_post_migrate)
        dashboard.register(dashboard.welcome_panel)
        dashboard.register(dashboard.outbox_panel)
