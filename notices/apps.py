from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices: the public notice and policy pages"

    def ready(self) -> None:
        from core import dashboard
        from notices.panels import notices_panel, policy_acknowledgment_panel

        dashboard.register(notices_panel)
        dashboard.register(policy_acknowledgment_panel)
