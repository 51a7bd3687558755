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
        from transparency import figures
        from transparency.panels import transparency_panel

        dashboard.register(transparency_panel)
        # More sections of figures (docs/transparency.md, "Adding figures from
        # another app"): the Data Practices requests.
        figures.register(
            "data_requests",
            figures.data_request_figures,
            template="transparency/_data_requests.html",
        )
