from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention: messages, schedules, holds and destruction log"

    def ready(self) -> None:
        from core import dashboard
        from retention.panels import retention_panel

        dashboard.register(retention_panel)
