from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain and signatures; exit non-zero if any "
        "event was altered, inserted or removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"{problem.where}: {problem.problem}")
        if problems:
            raise CommandError(
                f"The audit trail is broken in {len(problems)} place(s)."
            )
        self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
