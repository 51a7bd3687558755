from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import backup


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by "
        "`manage.py backup`, then check row counts and file checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The backup folder.")
        parser.add_argument(
            "--noinput", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["folder"]
        try:
            manifest = backup.read_manifest(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        name = settings.DATABASES["default"]["NAME"]
        if not options["noinput"]:
            answer = input(
                f"This replaces everything in the database {name} and in "
                f"{settings.MEDIA_ROOT} with the backup of {manifest['created_at']}.\n"
                f"Type the database name ({name}) to go on: "
            )
            if answer.strip() != str(name):
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            result = backup.restore(folder=folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(result.rows.values())} rows in {len(result.rows)} "
                f"tables and {result.files} files from {folder}; counts and "
                "checksums match the backup."
            )
        )
