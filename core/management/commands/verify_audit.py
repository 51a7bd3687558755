from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from core.audit import seal_events, verify_chain


class Command(BaseCommand):
    help = (
        "Seal the events recorded since the sealing job last ran, then check the "
        "audit trail's hash chain and signatures; exit non-zero if any event was "
        "altered, inserted or removed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Only check: do not seal new events first (e.g. on a read-only copy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_seal"]:
            try:
                sealed = seal_events()
            except DatabaseError as exc:
                # Check what is sealed anyway: a check must never hang on the lock.
                self.stderr.write(f"New events were not sealed first: {exc}")
            else:
                if sealed:
                    self.stdout.write(f"Sealed {sealed} new event(s) into the chain.")
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"{problem.where}: {problem.problem}")
        if problems:
            raise CommandError(
                f"The audit trail is broken in {len(problems)} place(s)."
            )
        self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
