"""Periodic jobs of the accounts app: thin callers of ``accounts.services``."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.services import access_review_report_overdue

logger = logging.getLogger(__name__)


@shared_task
def access_review_overdue_task(*, dry_run: bool = False) -> dict[str, int]:
    """P3: e-mail the City Administrators the overdue access reviews (daily).

    Safe to run twice: a grant is reported once a day, and no e-mail goes out
    when nothing new is overdue.
    """
    result = access_review_report_overdue(dry_run=dry_run)
    logger.info("Access review report: %s", result)
    return result
