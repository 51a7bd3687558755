from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from core import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", type=Path, default=None, help="Folder (default var/backups/<time>)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.backup(folder=options["to"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(result.rows.values())} rows in {len(result.rows)} "
                f"tables and {result.files} files to {result.folder}"
            )
        )
        if result.missing_files:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.missing_files)} "
                    f"file{pluralize(len(result.missing_files))} the database "
                    "points at were already missing; they are listed in the manifest "
                    "(missing_files)."
                )
            )
