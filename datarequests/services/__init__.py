"""State changes of Data Practices requests (P24): one transaction and
one audit event each.

    intake    receive a request from the web form or entered by staff
    handling  identity, start, pause and resume, cost, pick and hold, consult,
              close, the holds' release after the schedule's period
    release   the package released to the requester
"""

from datarequests.services._base import answer_days, due_date
from datarequests.services.handling import (
    datarequest_close,
    datarequest_estimate_cost,
    datarequest_holds_release_due,
    datarequest_pause,
    datarequest_pick_records,
    datarequest_record_consultation,
    datarequest_resume,
    datarequest_start,
    datarequest_verify_identity,
    hold_period_years,
)
from datarequests.services.intake import datarequest_submit
from datarequests.services.release import datarequest_release
from datarequests.services.reminders import datarequest_reminders_send

__all__ = [
    "answer_days",
    "datarequest_close",
    "datarequest_estimate_cost",
    "datarequest_holds_release_due",
    "datarequest_pause",
    "datarequest_pick_records",
    "datarequest_record_consultation",
    "datarequest_release",
    "datarequest_reminders_send",
    "datarequest_resume",
    "datarequest_start",
    "datarequest_submit",
    "datarequest_verify_identity",
    "due_date",
    "hold_period_years",
]
