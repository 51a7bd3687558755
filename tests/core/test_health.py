import pytest
from django.core.cache import cache, caches
from django_redis.cache import RedisCache

from core import health
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_healthz_answers_503_naming_the_broken_dependency(client, monkeypatch):
    def broken() -> None:
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "error: ConnectionError"
    assert body["checks"]["database"] == "ok"


@pytest.mark.services
def test_redis_cache_round_trip(redis_url):
    assert isinstance(caches["default"], RedisCache)
    cache.set("health-test", "value", 5)
    assert cache.get("health-test") == "value"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_end_to_end(celery_worker_app):
    from core.tasks import record_heartbeat_task

    result = record_heartbeat_task.delay(note="from the test")
    event_id = result.get(timeout=30)
    event = AuditEvent.objects.get(pk=event_id)
    assert event.action == "system.worker_heartbeat"
    assert event.data == {"note": "from the test"}
    # Not eager: the task ran in the worker, which reported through the backend.
    assert result.state == "SUCCESS"
    assert celery_worker_app.conf.task_always_eager is False
