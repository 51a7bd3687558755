"""``manage.py purge``: run the retention purge now, or show what it would destroy."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention.models import PurgeRun
from retention.purge import is_paused, purge_preview, purge_run


class Command(BaseCommand):
    help = (
        "Destroy what the retention schedule no longer keeps (read messages, records "
        "past their period), outside legal holds and disaster periods, and log it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show per series what the run would destroy; destroy nothing.",
        )
        parser.add_argument("--batch-size", type=int, help="Records per transaction.")
        parser.add_argument(
            "--limit", type=int, help="Destroy at most this many records per series."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("batch_size", "limit"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["dry_run"]:
            self._preview()
            return
        outcome = purge_run(
            trigger=PurgeRun.Trigger.COMMAND,
            batch_size=options["batch_size"],
            limit=options["limit"],
        )
        if outcome.status == "paused":
            raise CommandError(
                "Destruction is paused (RETENTION_PURGE_PAUSED); nothing was destroyed."
            )
        if outcome.status == "busy":
            raise CommandError("Another purge run is in progress; nothing was done.")
        for key, count in outcome.counts.items():
            self.stdout.write(f"{key}: {count} destroyed")
        self.stdout.write(
            f"Purge run #{outcome.run_id}: {outcome.destroyed} destroyed."
        )
        if outcome.errors:
            raise CommandError("Errors: " + "; ".join(outcome.errors))

    def _preview(self) -> None:
        if is_paused():
            self.stdout.write("Destruction is paused (RETENTION_PURGE_PAUSED).")
        self.stdout.write("Dry run: nothing is destroyed.")
        for p in purge_preview():
            line = f"{p.label}: would destroy {p.would_destroy}"
            if p.due and not p.would_destroy:
                line += f" ({p.due} past their period)"
            if p.held:
                line += f", {p.held} kept by legal holds"
            if p.first_date:
                line += f", dated {p.first_date} to {p.last_date}"
            if p.note:
                line += f" [{p.note}]"
            self.stdout.write(line)
