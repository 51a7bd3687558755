from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "Appeals and legality challenges"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "appeal.received": "received the appeal",
        "appeal.acknowledged": "acknowledged the appeal",
        "appeal.reviewer_assigned": "assigned a reviewer to the appeal",
        "appeal.review_started": "started reviewing the appeal",
        "appeal.answered": "answered the appeal",
        "appeal.withdrawn": "recorded the appeal as withdrawn",
        "appeal.email_sent": "emailed a letter about the appeal",
        "appeal.letter_mailed": "mailed a letter about the appeal",
        "appeal.receipt_failed": "could not email the receipt of the appeal",
        "challenge.received": "received the legality challenge",
        "challenge.acknowledged": "acknowledged the legality challenge",
        "challenge.reviewer_assigned": "assigned a reviewer to the legality challenge",
        "challenge.review_started": "started reviewing the legality challenge",
        "challenge.answered": "answered the legality challenge",
        "challenge.withdrawn": "recorded the legality challenge as withdrawn",
        "challenge.email_sent": "emailed a letter about the legality challenge",
        "challenge.letter_mailed": "mailed a letter about the legality challenge",
        "challenge.receipt_failed": "could not email the challenge's receipt",
        "appeal.removal_linked": "linked the appeal to its removal record",
        "challenge.attorney_consulted": "recorded the city attorney's consultation",
        "appeals.reminders_sent": "sent the deadline reminders",
        "appeal.imported": "imported the appeal from the city's earlier records",
        "challenge.imported": "imported the legality challenge from the city's "
        "earlier records",
    }

    def ready(self) -> None:
        from accounts import handover
        from appeals.admin_filters import (
            AppealedFilter,
            AppealOutcomeFilter,
            removal_appeals,
        )
        from appeals.handover import FilingsToReview
        from appeals.panels import assigned_panel, deadlines_panel, letters_panel
        from appeals.selectors import removals_reviewed_by
        from core import dashboard
        from moderation import extensions, visibility

        dashboard.register(assigned_panel)
        dashboard.register(deadlines_panel)
        dashboard.register(letters_panel)
        # Offboarding hands over the appeals and challenges a person reviews (P3).
        handover.register(FilingsToReview())
        # P22: the reviewer of an appeal reads the removal under it.
        visibility.register(removals_reviewed_by)
        # The removal list and record page (moderation) learn of appeals here.
        extensions.register_list_filter(AppealedFilter, AppealOutcomeFilter)
        extensions.register_related(removal_appeals)
