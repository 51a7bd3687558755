from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: audit trail and shared services"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import dashboard, reference_data

        post_migrate.connect(reference_data.on_post_migrate)
        dashboard.register(dashboard.welcome_panel)
