"""``manage.py import_filings FILE --by USERNAME``: bring in the appeals and legality
challenges the city handled before it used this system (P22, P23)."""

import hashlib
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from appeals.services.earlier import filings_import, read_export
from core.exceptions import NotPermitted
from core.imports import ExportFormatError


class Command(BaseCommand):
    help = (
        "Import earlier appeals and legality challenges from a CSV or JSON file "
        "(the columns are in docs/operations.md). The file is imported whole or "
        "not at all; bad rows are reported with their row numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--by",
            required=True,
            help="Username of the City Administrator importing the file.",
        )
        parser.add_argument(
            "--attorney",
            help="Username of the City Attorney consulted on the answered challenges.",
        )
        parser.add_argument(
            "--format", choices=("json", "csv"), help="Default: the file's suffix."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        by = self._user(options["by"], "--by")
        attorney = self._user(options["attorney"], "--attorney")
        try:
            result = filings_import(
                records=read_export(path, options["format"]),
                by=by,
                attorney=attorney,
                source=path.name,
                source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            )
        except (ExportFormatError, NotPermitted) as exc:
            raise CommandError(str(exc)) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} row(s) are bad, so nothing was imported; fix "
                "them and import the file again."
            )
        if not result.appeals and not result.challenges:
            raise CommandError(f"{path.name} has no filings.")
        self.stdout.write(
            f"{result.appeals} appeal(s) and {result.challenges} legality "
            "challenge(s) imported."
        )

    @staticmethod
    def _user(username: str | None, option: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"{option}: no user {username!r}.")
        return user
