"""``manage.py import_messages FILE``: import a platform's message export (R1)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account
from core.imports import ExportFormatError
from retention.importer import messages_import, read_export


class Command(BaseCommand):
    help = (
        "Import messages from a JSON or CSV export; each platform message id is "
        "recorded once. Bad rows are reported with their row numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--account", help="Slug of the city account, for exports without one."
        )
        parser.add_argument(
            "--format", choices=("json", "csv"), help="Default: the file's suffix."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        account = None
        if options["account"]:
            account = Account.objects.filter(slug=options["account"]).first()
            if account is None:
                raise CommandError(f"No city account with slug {options['account']!r}.")
        try:
            report = messages_import(
                records=read_export(path, options["format"]),
                account=account,
                source=path.name,
            )
        except ExportFormatError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.created} imported, {report.already_recorded} already recorded, "
            f"{report.duplicates_in_file} repeated in the file, "
            f"{len(report.errors)} bad."
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} row(s) were not imported; fix them and import "
                "the file again (rows already imported are skipped)."
            )
