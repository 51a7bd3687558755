"""Item 5: uploads checked by content, size-capped, stored without execute bits
and served only as downloads; every request body capped; the public forms' rate
limit holds behind a proxy whatever X-Forwarded-For the client sends."""

from __future__ import annotations

import ast
import secrets
import stat
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, path

from core import uploads
from tests.appeals.conftest import aged_stamp

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n" + b"x" * 64
PROJECT_APPS = ("core", "accounts", "moderation", "appeals", "retention", "notices")


def _download(request):  # type: ignore[no-untyped-def]
    storage = FileSystemStorage(location=request.GET["root"])
    return uploads.attachment_response(storage.open("letter.pdf"), "letter")


urlpatterns = [path("download/", _download)]


def _service_sources(app_dir: Path) -> list[Path]:
    """Return the files of an app's services: ``services.py``, or every module of a
    ``services/`` package."""
    module = app_dir / "services.py"
    if module.exists():
        return [module]
    return sorted((app_dir / "services").rglob("*.py"))


def test_every_model_upload_is_content_checked_by_its_service():
    """Each app with a FileField passes the file through core.uploads.validate_upload
    (content, not name; size cap) before it is stored. An app's services are a
    ``services.py`` module or a ``services/`` package (every module in it)."""
    problems = []
    for config in apps.get_app_configs():
        if config.label not in PROJECT_APPS:
            continue
        fields = [
            f"{model.__name__}.{field.name}"
            for model in config.get_models()
            for field in model._meta.fields
            if isinstance(field, models.FileField)
        ]
        if not fields:
            continue
        calls = {
            getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            for source in _service_sources(Path(config.path))
            for node in ast.walk(ast.parse(source.read_text()))
            if isinstance(node, ast.Call)
        }
        if "validate_upload" not in calls:
            problems.append(f"{config.label}: {fields} stored without validate_upload")
    assert not problems, problems


def test_uploaded_files_are_never_executable(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("removals/2027/shot.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    mode = (tmp_path / name).stat().st_mode
    assert not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert not mode & stat.S_IROTH  # residents' evidence: not for other local users
    folder = (tmp_path / name).parent.stat().st_mode
    assert not folder & stat.S_IWOTH


def _all_patterns(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_uploads_are_not_served_from_a_public_path(client, settings):
    """No URL serves MEDIA_ROOT directly: uploads go out only through views that
    check who may see them and force a download."""
    for route, callback in _all_patterns(get_resolver().url_patterns):
        assert not route.startswith(settings.MEDIA_URL.strip("/")), route
        assert callback.__module__ != "django.views.static", route
    assert client.get(f"{settings.MEDIA_URL}removals/shot.png").status_code == 404


@pytest.mark.urls("tests.security.test_input")
def test_downloads_are_attachments_that_cannot_run(client, tmp_path):
    FileSystemStorage(location=tmp_path).save("letter.pdf", ContentFile(PDF))
    response = client.get("/download/", {"root": str(tmp_path)})
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    # The site-wide policy does not replace the stricter one of a download.
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("url", ["/appeals/appeal/", "/appeals/challenge/", "/signin/"])
def test_oversized_bodies_are_refused_before_they_are_read(client, settings, url):
    settings.MAX_REQUEST_BODY_BYTES = 4096
    response = client.post(
        url,
        data=b"x" * 5000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "too large" in html and "Nothing was saved" in html


def test_staff_uploads_are_capped_too(login_as, manager, settings):
    settings.MAX_REQUEST_BODY_BYTES = 4096
    response = login_as(manager).post(
        "/moderation/removals/new/",
        data=b"y" * 5000,
        content_type="multipart/form-data; boundary=zzz",
    )
    assert response.status_code == 413


def test_request_limits_are_set(settings):
    assert settings.MAX_REQUEST_BODY_BYTES <= 25 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 10


# --- Rate limits behind a proxy ---------------------------------------------------


def _address() -> str:
    """A fresh documentation address: counts in a shared cache never collide."""
    return f"2001:db8::{secrets.randbits(16):x}:{secrets.randbits(16):x}"


def _file_appeal(client, *, forwarded: str, proxy: str = "10.0.0.2"):  # type: ignore[no-untyped-def]
    """File an appeal: only filings count toward the limit."""
    return client.post(
        "/appeals/appeal/",
        {
            "account_other": "The parks page",
            "comment_url": "https://example.com/x",
            "explanation": "My comment was an opinion.",
            "name": "Jordan Public",
            "email": "jordan@example.net",
            "reply_by": "email",
            "started": aged_stamp(),
        },
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_spoofed_forwarded_for_cannot_dodge_the_public_form_limit(
    client, settings, city_profile
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.APPEALS_SUBMIT_RATE = "3/h"
    real, neighbour = _address(), _address()
    # The proxy appends the real client; the client invents what comes before it.
    for n in range(3):
        response = _file_appeal(client, forwarded=f"198.51.100.{n}, {real}")
        assert response.status_code == 302
    response = _file_appeal(client, forwarded=f"192.0.2.99, {real}")
    assert response.status_code == 429
    # Another real client behind the same proxy is not affected.
    response = _file_appeal(client, forwarded=f"198.51.100.1, {neighbour}")
    assert response.status_code == 302


def test_without_a_trusted_proxy_forwarded_for_is_ignored(
    client, settings, city_profile
):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.APPEALS_SUBMIT_RATE = "2/h"
    direct = _address()
    for n in range(2):
        response = _file_appeal(client, forwarded=f"198.51.100.{n}", proxy=direct)
        assert response.status_code == 302
    response = _file_appeal(client, forwarded="192.0.2.1", proxy=direct)
    assert response.status_code == 429
