from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "Transparency: public figures, open data and the yearly report"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "transparency.report_frozen": "froze the yearly transparency report",
    }

    def ready(self) -> None:
        from core import dashboard
        from transparency.panels import transparency_panel

        dashboard.register(transparency_panel)
