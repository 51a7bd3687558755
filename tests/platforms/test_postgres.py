"""On PostgreSQL, with a real Celery worker: a message captured, read
and purged by the jobs; the same delivery sent at once by many requests stored
once; two processing runs at once capturing each comment once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from platforms.models import CapturedComment, MetaDelivery
from retention import services as retention_services
from retention.models import Message
from tests.platforms.conftest import WEBHOOK, payload, payload_json, signature

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]


def in_threads(target, count: int) -> list:
    results: list = []
    errors: list = []
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except Exception as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_a_message_is_captured_read_and_purged_by_a_real_worker(
    celery_worker_app, deliver, city_page, page_manager
):
    from platforms.tasks import meta_process_task
    from retention.tasks import retention_purge_task

    assert celery_worker_app.conf.task_always_eager is False
    assert deliver(payload("messenger_message.json")).status_code == 200
    assert meta_process_task.delay().get(timeout=60) == {"processed": 1}
    message = Message.objects.get(account=city_page)
    assert message.body == "Hi! Is the city pool open on the Fourth?"
    # Unread: the purge keeps it (R1).
    assert retention_purge_task.delay().get(timeout=60)["counts"]["messages"] == 0
    retention_services.message_mark_read(message=message, by=page_manager)
    result = retention_purge_task.delay().get(timeout=60)
    assert result["counts"]["messages"] == 1
    message.refresh_from_db()
    assert message.destroyed_at is not None
    assert (message.body, message.sender_handle) == ("", "")
    # Nothing else kept its words: the delivery's body was cleared when processed.
    assert bytes(MetaDelivery.objects.get().body) == b""
    # Sent again by Meta: not captured again (the tombstone keeps its id).
    deliver(json.dumps(payload_json("messenger_message.json")).encode())
    assert meta_process_task.delay().get(timeout=60) == {"processed": 1}
    assert Message.objects.count() == 1


def test_the_same_delivery_sent_at_once_by_many_requests_is_stored_once(city_page):
    body = payload("feed_comment_add.json")

    def post() -> int:
        return (
            Client()
            .post(
                WEBHOOK,
                data=body,
                content_type="application/json",
                headers={"X-Hub-Signature-256": signature(body)},
            )
            .status_code
        )

    assert in_threads(post, 8) == [200] * 8
    assert MetaDelivery.objects.count() == 1


def test_two_runs_at_once_capture_each_comment_once(city_page):
    from platforms import services

    data = payload_json("feed_comment_add.json")
    for time in range(12):  # one comment, in twelve different deliveries
        data["entry"][0]["time"] = 1764540000 + time
        services.meta_delivery_store(body=json.dumps(data).encode())
    outcomes = in_threads(services.meta_deliveries_process, 2)
    assert sum(o.get("processed", 0) for o in outcomes) == 12
    assert not any(o.get("failed") for o in outcomes)
    assert CapturedComment.objects.count() == 1
    assert CapturedComment.objects.get().versions.count() == 1
