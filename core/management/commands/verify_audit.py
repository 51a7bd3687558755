from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from core.audit import verify_chain
from core.audit_anchor import audit_anchor_compare


class Command(BaseCommand):
    help = (
        "Check the audit trail: its hash chain and signatures, and its head against "
        "the anchors written outside the database (a cut tail, an emptied trail). "
        "Says what it could not check; exits non-zero on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors",
            type=Path,
            default=None,
            help=(
                "Anchor file to compare with (default AUDIT_ANCHOR_FILE), e.g. the "
                "lines of the anchor emails or of syslog saved in a file."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        comparison = audit_anchor_compare(path=options["anchors"])
        problems += comparison.problems
        for problem in problems:
            self.stderr.write(f"{problem.where}: {problem.problem}")
        for note in comparison.not_checked:
            self.stdout.write(f"Not checked: {note}")
        if problems:
            raise CommandError(
                f"The audit trail is broken in {len(problems)} "
                f"place{pluralize(len(problems))}."
            )
        if comparison.not_checked:
            self.stdout.write(
                self.style.WARNING(
                    "The audit trail is intact as far as it could be checked."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
