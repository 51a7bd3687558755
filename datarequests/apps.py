from django.apps import AppConfig


class DataRequestsConfig(AppConfig):
    name = "datarequests"
    verbose_name = "Data Practices requests"

    # What each audit event this app records did, in plain words (core.audit_text).
    audit_phrases = {
        "datarequest.received": "received a Data Practices request",
        "datarequest.identity_verified": "recorded how a requester's identity was "
        "verified",
        "datarequest.started": "started work on a Data Practices request",
        "datarequest.paused": "paused a Data Practices request's clock",
        "datarequest.resumed": "resumed a Data Practices request's clock",
        "datarequest.cost_estimated": "estimated the cost of copies for a request",
        "datarequest.records_picked": "picked records answering a request and held "
        "them",
        "datarequest.released": "released records answering a request",
        "datarequest.closed": "closed a Data Practices request",
        "datarequest.holds_released": "released the holds of a closed request",
        "datarequest.reminders_sent": "wrote the day's data request reminders",
        "datarequest.consulted": "recorded the City Attorney's consultation on a "
        "request",
    }

    def ready(self) -> None:
        from core import dashboard
        from datarequests.panels import datarequests_panel
        from datarequests.services.retention import DATA_REQUESTS
        from retention.series import register

        dashboard.register(datarequests_panel)
        register(DATA_REQUESTS)
