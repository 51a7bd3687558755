"""Uploaded evidence (screenshots, scanned letters): checked by content, hashed,
served only as downloads.

    validate_upload(file, kinds=IMAGE_OR_PDF, max_bytes=...)  -> detected kind
    sha256_of(file)                                           -> hex digest
    attachment_response(field_file, stem)                     -> FileResponse
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.http import FileResponse

# (kind, content type, magic prefix test)
_SIGNATURES: list[tuple[str, str, object]] = [
    ("png", "image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("jpeg", "image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("gif", "image/gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    (
        "webp",
        "image/webp",
        lambda head: head.startswith(b"RIFF") and head[8:12] == b"WEBP",
    ),
    ("pdf", "application/pdf", lambda head: head.startswith(b"%PDF-")),
]
CONTENT_TYPES = {kind: ctype for kind, ctype, _ in _SIGNATURES}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "pdf": "pdf"}
IMAGE_OR_PDF = frozenset({"png", "jpeg", "gif", "webp", "pdf"})
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def detect_kind(file: IO[bytes]) -> str | None:
    """Return the kind of file from its first bytes, or None when unknown."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    for kind, _ctype, test in _SIGNATURES:
        if test(head):  # type: ignore[operator]
            return kind
    return None


def validate_upload(
    file: IO[bytes],
    *,
    kinds: frozenset[str] = IMAGE_OR_PDF,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Check size and content (not the file name); return the detected kind."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes:
        raise ValidationError(
            "The file is %(size)s MB; the limit is %(limit)s MB.",
            code="too_large",
            params={
                "size": round(size / 1_048_576, 1),
                "limit": round(max_bytes / 1_048_576, 1),
            },
        )
    kind = detect_kind(file)
    if kind not in kinds:
        names = ", ".join(sorted(k.upper() for k in kinds))
        raise ValidationError(
            "This file is not one of the accepted types (%(names)s). "
            "Its content was checked, not just its name.",
            code="bad_type",
            params={"names": names},
        )
    return kind


def sha256_of(file: IO[bytes]) -> str:
    """Return the SHA-256 of the file's content, reading it in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def attachment_response(field_file, stem: str) -> FileResponse:  # type: ignore[no-untyped-def]
    """Serve a stored upload as a download, never rendered inline by the browser.

    The download is named ``stem`` with the extension of what the file holds, as
    checked by its content: a PNG uploaded as "scan.pdf" downloads as a ``.png``
    that opens, not a ``.pdf`` that does not.
    """
    field_file.open("rb")
    kind = detect_kind(field_file)
    extension = EXTENSIONS.get(kind or "")
    response = FileResponse(
        field_file,
        as_attachment=True,
        filename=f"{stem}.{extension}" if extension else stem,
        content_type=CONTENT_TYPES.get(kind or "", "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
