"""State changes of the platforms app: one transaction each, audited.

meta_delivery_store(body=)                       the webhook: keep it, once
meta_deliveries_process(limit=)                  the job: capture what is due
meta_delivery_process(delivery_id=)              one delivery
meta_delivery_retry(delivery=, by=)              staff: process it again
comment_capture(account=, event=)                a comment, its edits, hides
message_capture(account=, event=)                a message -> retention (R1)
events_apply(account=, events=)                  both, for a connector
mastodon_connection_set(account=, server_url=, token_name=, by=)
mastodon_poll_due() / mastodon_poll(connection_id=)
draft_removal_complete(draft=, by=, categories=, facts=, reasoning=, ...)  P21
draft_removal_dismiss(draft=, by=, reason=)
captured_comment_redact(ids=, run_label=)        the retention purge only (R2)
comment_flag_follow_up(comment=, by=, due_on=, reference=)              P19
comment_record_follow_up(comment=, by=, channel=, note=, reference=)    P19
"""

from platforms.services.capture import comment_capture, events_apply, message_capture
from platforms.services.deliveries import (
    meta_deliveries_process,
    meta_delivery_process,
    meta_delivery_retry,
    meta_delivery_store,
    retry_delay,
)
from platforms.services.drafts import draft_removal_complete, draft_removal_dismiss
from platforms.services.followups import (
    comment_flag_follow_up,
    comment_record_follow_up,
)
from platforms.services.mastodon import (
    backoff,
    mastodon_connection_set,
    mastodon_poll,
    mastodon_poll_due,
    token_for,
)
from platforms.services.retention import CAPTURED_COMMENTS, captured_comment_redact

__all__ = [
    "CAPTURED_COMMENTS",
    "backoff",
    "captured_comment_redact",
    "comment_capture",
    "comment_flag_follow_up",
    "comment_record_follow_up",
    "draft_removal_complete",
    "draft_removal_dismiss",
    "events_apply",
    "mastodon_connection_set",
    "mastodon_poll",
    "mastodon_poll_due",
    "message_capture",
    "meta_deliveries_process",
    "meta_delivery_process",
    "meta_delivery_retry",
    "meta_delivery_store",
    "retry_delay",
    "token_for",
]
