from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "Platforms: capture from Meta and Mastodon"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "platforms.comment.captured": "captured a comment from the platform",
        "platforms.comment.completed": "completed a captured comment's details",
        "platforms.comment.edited": "captured an edit of a comment",
        "platforms.comment.follow_up_flagged": "flagged a comment for follow-up",
        "platforms.comment.follow_up_recorded": ("recorded the follow-up of a comment"),
        "platforms.comment.hidden": "captured that the page hid a comment",
        "platforms.comment.removed": "captured that a comment was removed",
        "platforms.comment.unhidden": "captured that the page showed a comment again",
        "platforms.connection.set_up": "set up polling of an account",
        "platforms.delivery.failed": "could not process a delivery from Meta",
        "platforms.delivery.processed": "processed a delivery from Meta",
        "platforms.delivery.retried": "asked for a delivery to be processed again",
        "platforms.delivery.unmatched": "kept a delivery for an id on no account",
        "platforms.draft_removal.completed": "logged a draft removal as a removal",
        "platforms.draft_removal.not_removal": (
            "marked a draft removal as not a removal"
        ),
    }

    def ready(self) -> None:
        from core import dashboard
        from platforms.panels import COMMENT_FOLLOW_UPS, platforms_panel
        from platforms.services import CAPTURED_COMMENTS
        from retention.panels import register_follow_ups
        from retention.series import register

        dashboard.register(platforms_panel)
        register(CAPTURED_COMMENTS)
        # P19: waiting comment follow-ups in the same panel as the messages'.
        register_follow_ups(COMMENT_FOLLOW_UPS)
