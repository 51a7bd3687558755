from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation: comment removals"

    def ready(self) -> None:
        from core import dashboard
        from moderation.panels import removals_panel

        dashboard.register(removals_panel)
