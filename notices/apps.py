from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices: the public notice and policy pages"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "notices.draft_created": "prepared a draft",
        "notices.draft_discarded": "discarded a draft",
        "notices.draft_refreshed": "refreshed a draft from the city profile",
        "notices.version_published": "published a new version",
    }

    def ready(self) -> None:
        from core import dashboard
        from notices.panels import notices_panel

        dashboard.register(notices_panel)
