from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation: comment removals"

    def ready(self) -> None:
        from core import dashboard
        from moderation.models import RemovalCategory
        from moderation.panels import removals_panel
        from notices import sources

        dashboard.register(removals_panel)
        # The notice and the policy list the categories (P21, N5).
        sources.register_removal_categories(
            lambda: list(RemovalCategory.objects.order_by("number"))
        )
