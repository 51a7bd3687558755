from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention: messages, schedules, holds and destruction log"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "disaster_period.declared": "declared a disaster period",
        "disaster_period.ended": "ended a disaster period",
        "legal_hold.placed": "placed a legal hold",
        "legal_hold.placed_for_records": "placed a legal hold on picked records",
        "legal_hold.released": "released a legal hold",
        "message.classified": "changed a message's classification",
        "message.created": "entered a message",
        "message.follow_up_flagged": "flagged a message for follow-up",
        "message.follow_up_recorded": "recorded the follow-up of a message",
        "message.read": "marked a message read",
        "message.read_bulk": "marked messages read",
        "message.unread": "marked a message unread again",
        "message.unread_bulk": "marked messages unread again",
        "messages.imported": "imported messages",
        "retention.purge_run": "ran the retention purge",
        "retention.purge_run_interrupted": "recorded an interrupted purge run",
    }

    def ready(self) -> None:
        from core import dashboard
        from retention.panels import retention_panel

        dashboard.register(retention_panel)
