import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

from core import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def _file(content: bytes, name: str = "evidence.png") -> ContentFile:
    return ContentFile(content, name=name)


@pytest.mark.parametrize(("content", "kind"), [(PNG, "png"), (PDF, "pdf")])
def test_accepts_images_and_pdfs_by_content(content, kind):
    assert uploads.validate_upload(_file(content)) == kind


def test_refuses_a_script_renamed_to_png():
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(_file(b"<script>alert(1)</script>", "evil.png"))
    assert error.value.code == "bad_type"
    assert "content was checked" in error.value.messages[0]


def test_refuses_an_oversized_file_naming_the_limit():
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(_file(PNG + b"\x00" * 2048), max_bytes=1024)
    assert error.value.code == "too_large"
    assert "limit is 0.0 MB" in error.value.messages[0]


def test_refuses_an_empty_file():
    with pytest.raises(ValidationError, match="empty"):
        uploads.validate_upload(_file(b""))


def test_sha256_matches_hashlib():
    import hashlib

    assert uploads.sha256_of(_file(PDF)) == hashlib.sha256(PDF).hexdigest()


def test_attachment_response_forces_download():
    storage = InMemoryStorage()
    name = storage.save("letter.pdf", _file(PDF, "letter.pdf"))
    response = uploads.attachment_response(storage.open(name), "letter")
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_download_is_named_for_what_it_holds_not_what_it_was_called():
    storage = InMemoryStorage()
    name = storage.save("scan.pdf", _file(PNG, "scan.pdf"))
    response = uploads.attachment_response(storage.open(name), "AP-2026-00001-letter")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="AP-2026-00001-letter.png"'
    )
    assert response["Content-Type"] == "image/png"
