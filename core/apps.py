from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: audit trail and shared services"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import dashboard, permissions, roles  # noqa: F401 (rules load)

        # After every app's migrations, since later apps bring new permissions.
        post_migrate.connect(roles.sync_role_permissions_on_migrate)
        dashboard.register(dashboard.welcome_panel)
