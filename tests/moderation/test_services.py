"""removal_create and the amendments: valid input, and every kind of bad input
refused with a specific message and nothing saved (P11, P20, P21)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import audit, clock
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from core.models import AuditEvent
from moderation import selectors, services
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalEvidence,
    RestorationTask,
)
from tests.moderation.conftest import PNG

pytestmark = pytest.mark.django_db


def categories(*numbers: int) -> list[RemovalCategory]:
    return list(RemovalCategory.objects.filter(number__in=numbers))


def valid(account: Any, **overrides: Any) -> dict[str, Any]:
    removed = clock.now() - timedelta(minutes=10)
    data = {
        "account": account,
        "comment_url": "https://www.facebook.com/lakesideparks/posts/9?comment_id=4455",
        "comment_text": "Buy cheap sunglasses at shady-deals.example!!!",
        "author_name": "Shady Deals",
        "author_handle": "@shadydeals",
        "posted_at": removed - timedelta(hours=2),
        "removed_at": removed,
        "categories": categories(7),
        "facts": "The comment advertises sunglasses with a shop link.",
        "reasoning": "A commercial promotion unrelated to the post: category 7.",
    }
    data.update(overrides)
    return data


def test_create_saves_the_decision_and_audits_it(account_manager, account):
    decision = services.removal_create(by=account_manager, **valid(account))

    decision.refresh_from_db()
    assert decision.comment_id == "4455"  # read from the URL
    assert [c.number for c in decision.categories.all()] == [7]
    assert decision.removed_by == account_manager
    assert decision.classification == "public"
    event = audit.events_for(decision).get()
    assert event.action == "moderation.removal.logged"
    assert event.data["categories"] == [7]
    # Personal data only in personal=, never in the label or data (P24, R4).
    assert event.personal["author_name"] == "Shady Deals"
    assert event.personal["comment_text"].startswith("Buy cheap")
    assert "Shady" not in event.target_label and "Shady" not in str(event.data)
    assert str(decision) == f"Removal #{decision.pk}"


def test_create_records_the_live_notice_version(account_manager, account, city_admin):
    from notices.models import DocumentVersion

    version = DocumentVersion.objects.create(
        kind="notice",
        number=1,
        status="published",
        title="Notice",
        sections=[],
        content_hash="0" * 64,
        generator_version=1,
        published_at=clock.now(),
        published_by=city_admin,
    )
    decision = services.removal_create(by=account_manager, **valid(account))
    assert decision.notice_version == version


def test_city_administrator_may_log_for_any_account(city_admin, account):
    decision = services.removal_create(by=city_admin, **valid(account))
    assert decision.removed_by == city_admin


def test_refuses_a_user_who_does_not_manage_the_account(account_manager, other_account):
    data = valid(
        other_account,
        comment_url="https://www.facebook.com/lakesidepolice/posts/1?comment_id=1",
    )
    with pytest.raises(
        NotPermitted, match="You may not log removals for lakesidepolice on"
    ):
        services.removal_create(by=account_manager, **data)
    assert not RemovalDecision.objects.exists()


def test_refuses_a_manager_whose_access_was_revoked(account_manager, account):
    account.grants.update(
        revoked_at=clock.now(), revoked_by=account_manager, revoke_reason="Left"
    )
    with pytest.raises(NotPermitted):
        services.removal_create(by=account_manager, **valid(account))


BAD_INPUT = [
    (
        {"comment_url": "https://x.com/someone/status/123"},
        "comment_url",
        "not on Facebook",
    ),
    ({"comment_url": "not a url"}, "comment_url", "starting with https://"),
    (
        {"posted_at": clock.now() - timedelta(minutes=5)},
        "removed_at",
        "removed before it was posted",
    ),
    (
        {"removed_at": clock.now() + timedelta(days=1)},
        "removed_at",
        "in the future",
    ),
    (
        {"posted_at": clock.now() + timedelta(days=2)},
        "posted_at",
        "posted in the future",
    ),
    ({"categories": []}, "categories", "at least one category"),
    ({"categories": categories}, "link_to_material", "Category 8"),
    ({"reasoning": "   "}, "reasoning", "Enter the reasoning"),
    ({"reasoning": "spam"}, "reasoning", "sentence or two"),
    ({"facts": "x" * 10_001}, "facts", "facts relied on"),
    ({"comment_text": ""}, "comment_text", "Paste the text"),
    ({"comment_text": "x" * 10_000_000}, "comment_text", "10,000,000 characters"),
    ({"author_name": " "}, "author_name", "name the author showed"),
    ({"platform_action": "edited"}, "platform_action", "hidden or deleted"),
    (
        {"notified_via": "email", "notification_text": ""},
        "notification_text",
        "text you sent",
    ),
]


@pytest.mark.parametrize(("override", "field", "message"), BAD_INPUT)
def test_refuses_bad_input_with_a_specific_message(
    account_manager, account, override, field, message
):
    if override.get("categories") is categories:
        override = {"categories": categories(8)}
    with pytest.raises(ValidationError) as error:
        services.removal_create(by=account_manager, **valid(account, **override))
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not RemovalDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="moderation.removal.logged").exists()


def test_category_8_with_its_link_is_accepted(account_manager, account):
    decision = services.removal_create(
        by=account_manager,
        **valid(
            account,
            categories=categories(7, 8),
            link_to_material="https://shady-deals.example/",
        ),
    )
    assert decision.link_to_material == "https://shady-deals.example/"
    assert sorted(c.number for c in decision.categories.all()) == [7, 8]


def test_refuses_a_comment_already_logged(account_manager, account):
    first = services.removal_create(by=account_manager, **valid(account))
    with pytest.raises(ValidationError, match=f"already logged as {first}"):
        services.removal_create(by=account_manager, **valid(account))


def test_a_restored_comment_may_be_removed_and_logged_again(account_manager, account):
    first = services.removal_create(by=account_manager, **valid(account))
    services.removal_restore(decision=first, by=account_manager, reason="Mistake.")
    second = services.removal_create(by=account_manager, **valid(account))
    assert second.pk != first.pk


def test_evidence_is_stored_with_its_sha256(account_manager, account, png):
    import hashlib

    decision = services.removal_create(
        by=account_manager, **valid(account), evidence=png
    )
    evidence = decision.evidence.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.kind == "png"
    assert evidence.original_name == "shot.png"
    assert "shot" not in evidence.file.name  # stored under a random name
    assert evidence.file.read() == PNG


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not one of the accepted types"),
        (PNG + b"\x00" * (services.EVIDENCE_MAX_BYTES + 1), "the limit is 10.0 MB"),
    ],
)
def test_refuses_a_bad_screenshot(account_manager, account, content, message):
    upload = SimpleUploadedFile("shot.png", content, content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.removal_create(by=account_manager, **valid(account), evidence=upload)
    assert message in " ".join(error.value.message_dict["evidence"])
    assert not RemovalDecision.objects.exists()
    assert not RemovalEvidence.objects.exists()


def test_comment_id_from_url():
    assert (
        services.comment_id_from_url(
            "https://www.facebook.com/p/posts/1?comment_id=77&reply_comment_id=88"
        )
        == "88"
    )
    assert services.comment_id_from_url("https://x.com/a/status/1866554433") == (
        "1866554433"
    )
    assert services.comment_id_from_url(
        "https://www.youtube.com/watch?v=a&lc=Ugx1"
    ) == ("Ugx1")
    assert services.comment_id_from_url("https://www.facebook.com/") == ""
    # Addresses urlsplit cannot read (an unclosed IPv6 bracket) have no id.
    assert services.comment_id_from_url("http://[::1") == ""
    assert services.comment_id_from_url("https://[fe80::1/c/abcd1234") == ""


def test_an_unreadable_address_is_a_field_error(account_manager, account):
    with pytest.raises(ValidationError) as error:
        services.removal_create(
            by=account_manager, **valid(account, comment_url="http://[::1")
        )
    assert error.value.message_dict["comment_url"] == [
        "Enter the full address of the comment, starting with https://."
    ]
    assert not RemovalDecision.objects.exists()


# --- Amendments ---------------------------------------------------------------


@pytest.fixture
def decision(account_manager, account) -> RemovalDecision:
    return services.removal_create(by=account_manager, **valid(account))


def test_a_correction_is_appended_and_the_row_is_untouched(decision, account_manager):
    before = RemovalDecision.objects.filter(pk=decision.pk).values().get()

    amendment = services.removal_amend(
        decision=decision,
        by=account_manager,
        field="categories",
        value=[2, 7],
        reason="It also threatened the poster.",
    )

    assert RemovalDecision.objects.filter(pk=decision.pk).values().get() == before
    assert amendment.kind == "correction"
    assert amendment.old_value == [7] and amendment.new_value == [2, 7]
    assert amendment.made_by == account_manager
    fresh = selectors.removal_get_detail(pk=decision.pk)
    assert selectors.removal_current(fresh)["categories"] == [2, 7]
    event = audit.events_for(decision).last()
    assert event.action == "moderation.removal.corrected"
    assert event.data["changes"] == {"categories": [[7], [2, 7]]}
    assert event.reason == "It also threatened the poster."


def test_a_correction_of_personal_data_is_audited_as_personal(
    decision, account_manager
):
    services.removal_amend(
        decision=decision,
        by=account_manager,
        field="author_name",
        value="Shady Deals LLC",
        reason="Full page name.",
    )
    event = audit.events_for(decision).last()
    assert "changes" not in event.data
    assert event.personal["changes"]["author_name"] == [
        "Shady Deals",
        "Shady Deals LLC",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment_text", "other text", "stand as captured"),
        ("categories", [], "at least one category"),
        ("categories", [8], "Category 8"),
        (
            "removed_at",
            clock.now() - timedelta(days=30),
            "removed before it was posted",
        ),
        ("reasoning", "no", "sentence or two"),
        ("comment_url", "https://x.com/a/status/1", "not on Facebook"),
        ("platform_action", "hidden", "already the recorded value"),
    ],
)
def test_a_bad_correction_is_refused(decision, account_manager, field, value, message):
    with pytest.raises(ValidationError) as error:
        services.removal_amend(
            decision=decision, by=account_manager, field=field, value=value, reason="R"
        )
    messages = [m for ms in error.value.message_dict.values() for m in ms]
    assert message in " ".join(messages)
    assert not RemovalAmendment.objects.exists()


def test_a_correction_needs_a_reason(decision, account_manager):
    with pytest.raises(ValidationError, match="why the record"):
        services.removal_amend(
            decision=decision,
            by=account_manager,
            field="platform_action",
            value="deleted",
            reason=" ",
        )


def test_only_managers_of_the_account_may_amend(decision, make_staff):
    from core.roles import SOCIAL_MEDIA_MANAGER

    stranger = make_staff(SOCIAL_MEDIA_MANAGER)
    with pytest.raises(NotPermitted):
        services.removal_amend(
            decision=decision,
            by=stranger,
            field="platform_action",
            value="deleted",
            reason="x",
        )
    with pytest.raises(NotPermitted):
        services.removal_notify_author(
            decision=decision, by=stranger, via="email", text="Hi"
        )


def test_notify_author_appends_and_clears_the_not_told_list(decision, account_manager):
    assert list(RemovalDecision.objects.author_not_told()) == [decision]
    services.removal_notify_author(
        decision=decision, by=account_manager, via="message", text="We removed it."
    )
    assert not RemovalDecision.objects.author_not_told().exists()
    told = selectors.removal_author_told(selectors.removal_get_detail(pk=decision.pk))
    assert told[0] == "message" and told[2] == "We removed it."


def test_notify_author_needs_the_text_sent(decision, account_manager):
    with pytest.raises(ValidationError, match="text you sent"):
        services.removal_notify_author(
            decision=decision, by=account_manager, via="email", text=""
        )


@pytest.mark.parametrize(
    "before", [timedelta(minutes=1), timedelta(days=365 * 2000)], ids=["1m", "year1"]
)
def test_notify_author_refuses_a_time_before_the_removal(
    decision, account_manager, before
):
    with pytest.raises(ValidationError, match="before the comment was removed"):
        services.removal_notify_author(
            decision=decision,
            by=account_manager,
            via="email",
            text="We removed it.",
            notified_at=decision.removed_at - before,
        )
    assert not decision.amendments.exists()
    # At the moment of the removal itself is fine.
    services.removal_notify_author(
        decision=decision,
        by=account_manager,
        via="email",
        text="We removed it.",
        notified_at=decision.removed_at,
    )


@pytest.mark.parametrize(
    "field,limit",
    [
        ("author_name", 200),
        ("author_handle", 200),
        ("comment_id", 200),
        ("comment_url", 1000),
        ("link_to_material", 1000),
    ],
)
def test_a_correction_holds_to_the_length_of_the_field(
    decision, account_manager, field, limit
):
    value = "a" * (limit + 1)
    if field in ("comment_url", "link_to_material"):
        prefix = "https://www.facebook.com/lakesideparks/posts/9?comment_id="
        value = prefix + "4" * (limit + 1 - len(prefix))
    with pytest.raises(ValidationError, match="at most"):
        services.removal_amend(
            decision=decision,
            by=account_manager,
            field=field,
            value=value,
            reason="Typo.",
        )
    assert not decision.amendments.exists()


def test_restore_appends_a_restoration_once(decision, account_manager, city_admin):
    class FakeAppeal:
        pk = 42

        def __str__(self) -> str:
            return "AP-2026-00042"

    # A reversed appeal asked for it; a direct restore completes that task (P22).
    task = services.restoration_request(
        decision=decision,
        reason="Reversed.",
        source="Appeal AP-2026-00042 reversed the removal.",
        by=city_admin,
        appeal=FakeAppeal(),
    )
    # Why is said whether or not an appeal asked for it.
    with pytest.raises(DomainError, match="Say why the comment is being restored"):
        services.removal_restore(decision=decision, by=city_admin, reason="  ")
    task.refresh_from_db()
    assert task.status == "open" and not decision.amendments.exists()
    amendment = services.removal_restore(
        decision=decision, by=city_admin, reason="Appeal upheld."
    )
    assert amendment.kind == "restoration"
    assert amendment.appeal_id == 42
    assert amendment.appeal_reference == "AP-2026-00042"
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", city_admin)
    assert list(RemovalDecision.objects.restored()) == [decision]
    assert audit.events_for(decision).last().action == "moderation.removal.restored"
    with pytest.raises(InvalidTransition):
        services.removal_restore(decision=decision, by=city_admin, reason="Again.")


def test_restore_is_refused_to_who_does_not_manage_the_account(decision, make_staff):
    from core.roles import SOCIAL_MEDIA_MANAGER

    reviewer = make_staff(SOCIAL_MEDIA_MANAGER)  # does not manage the account
    with pytest.raises(NotPermitted):
        services.removal_restore(decision=decision, by=reviewer, reason="No appeal.")
    assert not decision.amendments.exists()


def test_evidence_added_later(decision, account_manager, pdf):
    amendment = services.removal_add_evidence(
        decision=decision, by=account_manager, file=pdf, reason="Screenshot from Ana."
    )
    assert amendment.kind == "evidence_added"
    assert amendment.evidence.get().kind == "pdf"


def test_redact_clears_personal_data_and_keeps_the_decision(
    decision, account_manager, png, django_capture_on_commit_callbacks
):
    services.removal_add_evidence(
        decision=decision, by=account_manager, file=png, reason="Screenshot."
    )
    evidence = decision.evidence.get()
    name, storage = evidence.file.name, evidence.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        assert services.removal_redact(decisions=[decision], run_label="run 1") == 1
        # The file goes only once the redaction commits (core.files, R4).
        assert storage.exists(name)

    decision.refresh_from_db()
    assert decision.author_name == "" and decision.comment_text == ""
    assert decision.redacted_at is not None
    assert decision.reasoning  # the city's reasoning stays
    assert not storage.exists(name)
    assert all(e.personal is None for e in audit.events_for(decision))


def test_purge_destroys_the_decision_and_everything_appended(decision, account_manager):
    services.removal_notify_author(
        decision=decision, by=account_manager, via="email", text="Hi"
    )
    services.restoration_request(
        decision=decision, reason="Reversed.", source="Appeal.", by=account_manager
    )
    assert services.removal_purge(decisions=[decision.pk], run_label="run 2") == 1
    assert not RemovalDecision.objects.exists()
    assert not RemovalAmendment.objects.exists()
    assert not RestorationTask.objects.exists()
    assert AuditEvent.objects.filter(action="audit.redacted").exists()
