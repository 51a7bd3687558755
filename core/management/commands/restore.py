from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from core import backup


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by "
        "`manage.py backup`, after checking it (row counts, file checksums, the "
        "audit trail) in a new database and folder; the replaced ones are kept."
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
                f"This replaces the database {name} and {settings.MEDIA_ROOT} with "
                f"the backup of {manifest['created_at']}, once the backup has been "
                "loaded and checked beside them (the current ones are kept under "
                "a new name; stop the web server, worker and beat first).\n"
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
                f"tables and {result.files} files from {folder}; counts, "
                "checksums and the audit trail were checked before the swap."
            )
        )
        self.stdout.write(
            f"The replaced database is kept as: {result.previous_database}"
        )
        if result.previous_media:
            self.stdout.write(
                f"The replaced files are kept in: {result.previous_media}"
            )
        self.stdout.write("Remove them once you no longer need them.")
        if result.missing_files:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.missing_files)} "
                    f"file{pluralize(len(result.missing_files))} were already missing "
                    "when the backup was taken (listed in its manifest)."
                )
            )
