"""The kinds of record a Data Practices request may find, and what of
each a requester may see (P24, Minn. Stat. ch. 13).

Each :class:`Source` names the app's search selector, the record series whose
hold keeps it (R3; an amendment is kept with its decision, a letter with its
filing), and its fields, each marked with what it is about:

    meta      when, where, which reference and state: shown to every requester
    record    the city's own words (facts, reasons, responses): public data when
              the record is; withheld from the public when it is not
    person    who a person is (name, handle), of the record's ``person``
    contact   how to reach them (email, postal address)
    content   what they wrote

:func:`release_fields` decides field by field, and says why and under which
statute a field is withheld. The statutes are our reading of chapter 13 for the
records this product keeps; the Records Officer and the City Attorney decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.classification import DataClassification
from core.search import clean_terms

META, RECORD, PERSON, CONTACT, CONTENT = (
    "meta",
    "record",
    "person",
    "contact",
    "content",
)

# Why a field is withheld, with the statute cited.
NOT_PUBLIC = (
    "Classified {classification}: not public data, which is all a member of the "
    "public may see",
    "Minn. Stat. 13.03 subd. 1; 13.02 subd. 12",
)
OTHER_PERSON = (
    "Private data on another individual: a data subject sees only data about "
    "themselves",
    "Minn. Stat. 13.02 subd. 12; 13.04 subd. 3",
)
CONFIDENTIAL = (
    "Confidential data on individuals: not accessible to the public nor to the "
    "individual it is about",
    "Minn. Stat. 13.02 subd. 3",
)
CONTACT_PRIVATE = (
    "Personal contact information of an individual (email or postal address)",
    "Minn. Stat. 13.356; 13.02 subd. 12",
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = RECORD


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    model_label: str
    series: str
    fields: tuple[Field, ...]
    # The identifiers of the person the record is about (to match the subject).
    person: Callable[[Any], Iterable[str]]
    # The series key and id whose hold keeps the record (None: its own).
    held: Callable[[Any], tuple[str, int]] | None = None
    title: Callable[[Any], str] = str
    # What its title, person and fields read from other tables, read with it.
    related: tuple[str, ...] = ()


def _filing_person(filing: Any) -> list[str]:
    return [filing.name, filing.email]


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            key="removal_decision",
            model_label="moderation.RemovalDecision",
            label="Removal decision",
            series="removal_decisions",
            person=lambda r: [r.author_name, r.author_handle],
            title=lambda r: f"Removal #{r.pk} on {r.account}",
            related=("account__platform",),
            fields=(
                Field("removed_at", "Removed at", META),
                Field("account", "Account", META),
                Field("comment_url", "Comment link"),
                Field("author_name", "Author's name", PERSON),
                Field("author_handle", "Author's handle", PERSON),
                Field("comment_text", "Comment text", CONTENT),
                Field("facts", "Facts"),
                Field("reasoning", "Reasoning"),
            ),
        ),
        Source(
            key="removal_amendment",
            model_label="moderation.RemovalAmendment",
            label="Amendment of a removal",
            series="removal_decisions",
            person=lambda r: [r.decision.author_name, r.decision.author_handle],
            held=lambda r: ("removal_decisions", int(r.decision_id)),
            title=lambda r: f"Amendment #{r.pk} of removal #{r.decision_id}",
            related=("decision",),
            fields=(
                Field("made_at", "Made at", META),
                Field("kind", "Kind", META),
                Field("field", "Field corrected"),
                Field("reason", "Reason"),
                Field("old_value", "Old value", CONTENT),
                Field("new_value", "New value", CONTENT),
            ),
        ),
        Source(
            key="appeal",
            model_label="appeals.Appeal",
            label="Appeal",
            series="appeals",
            person=_filing_person,
            fields=(
                Field("reference", "Reference", META),
                Field("received_on", "Received on", META),
                Field("status", "Status", META),
                Field("name", "Name", PERSON),
                Field("email", "Email", CONTACT),
                Field("postal_address", "Postal address", CONTACT),
                Field("comment_text", "Comment text", CONTENT),
                Field("explanation", "Explanation", CONTENT),
                Field("outcome", "Outcome", META),
                Field("response", "Written response"),
            ),
        ),
        Source(
            key="legality_challenge",
            model_label="appeals.LegalityChallenge",
            label="Legality challenge",
            series="legality_challenges",
            person=_filing_person,
            fields=(
                Field("reference", "Reference", META),
                Field("received_on", "Received on", META),
                Field("status", "Status", META),
                Field("name", "Name", PERSON),
                Field("email", "Email", CONTACT),
                Field("postal_address", "Postal address", CONTACT),
                Field("section_title", "Part challenged"),
                Field("basis", "Basis", CONTENT),
                Field("outcome", "Outcome", META),
                Field("response", "Written response"),
            ),
        ),
        Source(
            key="correspondence",
            model_label="appeals.Correspondence",
            label="Letter or email sent",
            series="appeals",
            person=lambda r: _filing_person(r.filing),
            # A letter is kept with its appeal or legality challenge.
            held=lambda r: (
                ("appeals", int(r.appeal_id))
                if r.appeal_id
                else ("legality_challenges", int(r.challenge_id))
            ),
            title=lambda r: f"{r.get_kind_display()} for {r.filing.reference}",
            related=("appeal", "challenge"),
            fields=(
                Field("created_at", "Written at", META),
                Field("kind", "Kind", META),
                Field("subject", "Subject"),
                Field("to", "To", CONTACT),
                Field("body", "Text", CONTENT),
            ),
        ),
        Source(
            key="message",
            model_label="retention.Message",
            label="Message received",
            series="messages",
            person=lambda r: [r.sender_handle],
            title=lambda r: f"Message #{r.pk} to {r.account}",
            related=("account__platform",),
            fields=(
                Field("received_at", "Received at", META),
                Field("account", "Account", META),
                Field("sender_handle", "Sender", PERSON),
                Field("body", "Text", CONTENT),
            ),
        ),
        Source(
            key="captured_comment",
            model_label="platforms.CapturedComment",
            label="Captured comment",
            series="captured_comments",
            person=lambda r: [r.author_name, r.author_handle],
            title=lambda r: f"Comment #{r.pk} on {r.account}",
            related=("account__platform",),
            fields=(
                Field("posted_at", "Posted at", META),
                Field("account", "Account", META),
                Field("url", "Link"),
                Field("author_name", "Author", PERSON),
                Field("author_handle", "Author's handle", PERSON),
                Field("text", "Text", CONTENT),
            ),
        ),
        Source(
            key="audit_event",
            model_label="core.AuditEvent",
            label="Audit event",
            series="audit_events",
            person=lambda r: [r.actor_label, *_strings(r.personal)],
            title=lambda r: f"Audit event #{r.sequence}: {r.action}",
            fields=(
                Field("occurred_at", "Occurred at", META),
                Field("action", "Action", META),
                Field("target_label", "Record"),
                Field("actor_label", "By"),
                Field("personal", "Personal data recorded", CONTENT),
            ),
        ),
    )
}


def records_by_source(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """The records named by ``(source key, id)`` pairs, with what they read from
    other tables: one query per kind of record. A pair whose record is gone is
    missing from the result."""
    from django.apps import apps

    ids: dict[str, set[int]] = {}
    for key, pk in pairs:
        ids.setdefault(key, set()).add(pk)
    found: dict[tuple[str, int], Any] = {}
    for key, wanted in ids.items():
        source = SOURCES[key]
        model = apps.get_model(source.model_label)
        rows = model._default_manager.select_related(*source.related).in_bulk(wanted)
        found.update({(key, pk): record for pk, record in rows.items()})
    return found


def held_record(source: Source, record: Any) -> tuple[str, int]:
    """The series key and id whose hold keeps ``record`` (R3): its own, or the
    record it is kept with (an amendment: its removal; a letter: its filing)."""
    if source.held is not None:
        return source.held(record)
    return source.series, int(record.pk)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def is_about(source: Source, record: Any, terms: Iterable[str]) -> bool:
    """Whether the record's person is the data subject (one of their terms)."""
    wanted = {t.lower() for t in clean_terms(terms)}
    for ident in source.person(record):
        ident = (ident or "").strip().lower()
        if ident and (ident in wanted or ident.lstrip("@") in wanted):
            return True
    return False


@dataclass(frozen=True)
class Decided:
    field: Field
    value: Any
    withheld: bool
    reason: str = ""
    statute: str = ""


def release_fields(
    source: Source, record: Any, *, subject_terms: Iterable[str] | None
) -> list[Decided]:
    """Decide each field of ``record`` for the requester: a data subject
    (``subject_terms``: who they are) or the public (None). P24, ch. 13."""
    classification = getattr(record, "classification", DataClassification.PUBLIC)
    label = DataClassification(classification).label.lower()
    public = classification == DataClassification.PUBLIC
    about_subject = subject_terms is not None and is_about(
        source, record, subject_terms
    )
    out: list[Decided] = []
    for f in source.fields:
        value = getattr(record, f.name)
        why: tuple[str, str] | None = None
        if subject_terms is None and f.kind == RECORD and not public:
            why = (NOT_PUBLIC[0].format(classification=label), NOT_PUBLIC[1])
        elif f.kind not in (META, RECORD):
            if subject_terms is None:
                if not public:
                    why = (NOT_PUBLIC[0].format(classification=label), NOT_PUBLIC[1])
                elif f.kind == CONTACT:
                    why = CONTACT_PRIVATE
            elif classification == DataClassification.CONFIDENTIAL:
                why = CONFIDENTIAL
            elif not about_subject and (f.kind == CONTACT or not public):
                why = OTHER_PERSON
        if why:
            out.append(Decided(f, None, True, why[0], why[1]))
        else:
            out.append(Decided(f, value, False))
    return out
