"""What the crash tests (``test_crash.py``) run in the process they kill, and in
the one that inspects what it left (``DJANGO_SETTINGS_MODULE=tests.crash_settings``):

    python -m tests.retention.crash_scenario purge FILES.json
        record removal decisions with evidence files and answered appeals with
        scanned letters, all past their retention period; write their file names
        and checksums to FILES.json; run ``manage.py purge --batch-size 2`` (the
        test's CRASH_AT kills it somewhere in there)
    python -m tests.retention.crash_scenario recover FILES.json
        print what each record is now (JSON); place a legal hold on both series,
        run the purge again, print it again
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from appeals.models import DESTROYED, Appeal  # noqa: E402
from core import clock, roles  # noqa: E402
from core.files import file_deletions_run  # noqa: E402
from core.models import PendingFileDeletion  # noqa: E402
from moderation.models import RemovalDecision, RemovalEvidence  # noqa: E402
from retention import services  # noqa: E402
from retention.models import (  # noqa: E402
    DestroyedItem,
    DestructionRecord,
    PurgeRun,
    RetentionSchedule,
    Series,
)
from retention.purge import ids_digest, purge_run  # noqa: E402
from tests.accounts.factories import UserFactory  # noqa: E402
from tests.appeals.factories import AppealAnsweredFactory  # noqa: E402
from tests.moderation.factories import RemovalDecisionFactory  # noqa: E402

DECISIONS = 4  # two batches of two, two evidence files each
APPEALS = 3  # two batches: two, then one
SERIES = {"decisions": Series.REMOVAL_DECISIONS, "appeals": Series.APPEALS}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seed() -> dict[str, dict[str, dict[str, str]]]:
    """Record the files' owners past their period; return {kind: {id: {name: sha}}}."""
    long_ago = clock.now() - timedelta(days=5 * 366)
    for series in SERIES.values():
        RetentionSchedule.objects.filter(series=series).update(
            years=3, schedule_item=f"City item for {series}", destruction_enabled=True
        )
    staff: Any = UserFactory()
    files: dict[str, dict[str, dict[str, str]]] = {"decisions": {}, "appeals": {}}
    for n in range(DECISIONS):
        decision: Any = RemovalDecisionFactory(
            removed_at=long_ago, posted_at=long_ago - timedelta(hours=1)
        )
        names = files["decisions"][str(decision.pk)] = {}
        for k in range(2):
            data = b"\x89PNG\r\n\x1a\n" + f"decision {n} shot {k}".encode()
            evidence = RemovalEvidence(
                decision=decision,
                kind="png",
                size=len(data),
                sha256=_sha(data),
                added_by=staff,
                added_at=long_ago,
            )
            evidence.file.save("evidence", ContentFile(data), save=False)
            evidence.save()
            names[str(evidence.file.name)] = _sha(data)
    for n in range(APPEALS):
        data = b"%PDF-1.7\n" + f"letter {n} from a resident".encode()
        appeal: Any = AppealAnsweredFactory(
            received_on=long_ago.date(),
            answered_at=long_ago + timedelta(days=10),
            letter=ContentFile(data, name="letter.pdf"),
            letter_sha256=_sha(data),
        )
        files["appeals"][str(appeal.pk)] = {appeal.letter.name: _sha(data)}
    return files


def state(files: dict[str, dict[str, dict[str, str]]]) -> dict[str, Any]:
    """Return what each seeded record and its files are now."""
    pending = set(PendingFileDeletion.objects.values_list("name", flat=True))
    logged: dict[str, set[int]] = {}
    for record in DestructionRecord.objects.all():
        ids = DestroyedItem.objects.filter(
            run=record.run, series=record.series
        ).values_list("object_id", flat=True)
        if ids_digest(ids) == record.ids_sha256 and len(ids) == record.item_count:
            logged.setdefault(record.series, set()).update(ids)
    records = {}
    for kind, owners in files.items():
        for pk, originals in owners.items():
            if kind == "decisions":
                decision = RemovalDecision.objects.get(pk=pk)
                destroyed = decision.redacted_at is not None
                names = list(
                    RemovalEvidence.objects.filter(decision=decision)
                    .exclude(file="")
                    .values_list("file", flat=True)
                )
            else:
                appeal = Appeal.objects.get(pk=pk)
                destroyed = appeal.name == DESTROYED
                names = [appeal.letter.name] if appeal.letter else []
            stored = {}
            for name, sha in originals.items():
                if default_storage.exists(name):
                    with default_storage.open(name) as handle:
                        stored[name] = _sha(handle.read()) == sha
            records[f"{kind} {pk}"] = {
                "destroyed": destroyed,
                "names": sorted(names),
                "originals": sorted(originals),
                # name -> its content is the original one (absent: deleted)
                "stored": stored,
                "pending": sorted(set(originals) & pending),
                "ledger": DestroyedItem.objects.filter(
                    series=SERIES[kind], object_id=pk
                ).exists(),
                "logged": int(pk) in logged.get(SERIES[kind], set()),
            }
    return {
        "records": records,
        "runs": sorted(PurgeRun.objects.values_list("status", flat=True)),
        "pending": PendingFileDeletion.objects.count(),
    }


def main() -> None:
    command, path = sys.argv[1], Path(sys.argv[2])
    if command == "purge":
        with transaction.atomic():  # a removal's categories come in its transaction
            files = seed()
        path.write_text(json.dumps(files))
        call_command("purge", batch_size=2)
        return
    files = json.loads(path.read_text())
    after_kill = state(files)
    officer = UserFactory(roles=[roles.RECORDS_OFFICER])
    services.legal_hold_place(
        by=officer,
        title="Hold placed after the crash",
        reason="A lawsuit names these records.",
        series=list(SERIES.values()),
    )
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    file_deletions_run()  # what the periodic job does; nothing should be left
    print(
        json.dumps(
            {
                "after_kill": after_kill,
                "after_recovery": state(files),
                "outcome": outcome.as_dict(),
            }
        )
    )


if __name__ == "__main__":
    main()
