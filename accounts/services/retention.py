"""Destruction of account requests: only for the retention purge (R2, R4).

The retention app calls this for its ``account_requests`` series; the accounts
app owns its tables, so it is the one that deletes them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import AccountRequest
from core import audit


@transaction.atomic
def account_request_destroy(*, ids: Iterable[int], run_label: str = "") -> int:
    """Delete these account requests; the accounts they created stay on the
    registry, and their audit events stay with personal data redacted (R4).
    Returns how many requests were deleted."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return 0
    _total, per_model = AccountRequest.objects.filter(pk__in=ids).delete()
    audit.redact_personal(model=AccountRequest, ids=ids, run_label=run_label)
    return per_model.get(AccountRequest._meta.label, 0)
