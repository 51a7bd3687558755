from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "Transparency: public figures, open data and the yearly report"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "transparency.report_frozen": "froze the yearly transparency report",
    }
