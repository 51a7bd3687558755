from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "Appeals and legality challenges"

    def ready(self) -> None:
        from appeals.panels import deadlines_panel
        from core import dashboard

        dashboard.register(deadlines_panel)
