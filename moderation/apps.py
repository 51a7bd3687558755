from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation: comment removals"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "moderation.removal.author_told": "recorded that the author was told",
        "moderation.removal.corrected": "corrected the removal record",
        "moderation.removal.evidence_added": "added evidence to the removal",
        "moderation.removal.logged": "logged a removal",
        "moderation.removal.restored": "restored the comment",
        "moderation.removals.exported": "exported the removal log",
        "moderation.restoration.requested": "asked for the comment to be restored",
    }

    def ready(self) -> None:
        from core import dashboard
        from moderation import permissions  # noqa: F401 (registers the object rules)
        from moderation.models import RemovalCategory
        from moderation.panels import removals_panel, restorations_panel
        from notices import sources

        dashboard.register(removals_panel)
        dashboard.register(restorations_panel)
        # The notice and the policy list the categories (P21, N5).
        sources.register_removal_categories(
            lambda: list(RemovalCategory.objects.order_by("number"))
        )
