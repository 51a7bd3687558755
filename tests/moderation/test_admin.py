"""The removal log in the admin: who sees what, filters, search, constant queries
and the streaming CSV export (P21, R2)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import clock
from core.models import AuditEvent
from moderation import services
from tests.moderation.factories import RemovalAmendmentFactory, RemovalDecisionFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/moderation/removaldecision/"


def refs(response) -> set[str]:
    return {d.reference for d in response.context["cl"].result_list}


def test_city_administrator_sees_all_and_managers_their_accounts(
    login_as, city_admin, account_manager, account
):
    mine = RemovalDecisionFactory(account=account)
    other = RemovalDecisionFactory()
    assert refs(login_as(city_admin).get(LIST)) == {mine.reference, other.reference}
    assert refs(login_as(account_manager).get(LIST)) == {mine.reference}


def test_list_has_no_add_button_but_offers_the_form_and_export(login_as, city_admin):
    html = login_as(city_admin).get(LIST).content.decode()
    assert reverse("moderation:removal-new") in html
    assert "Export these to CSV" in html
    assert "/admin/moderation/removaldecision/add/" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=2", {"threat"}),
        ("told=no", {"threat", "old"}),
        ("told=yes", {"spam"}),
        ("restored=yes", {"old"}),
        ("restored=no", {"threat", "spam"}),
        ("platform_action__exact=deleted", {"old"}),
    ],
)
def test_filters(login_as, city_admin, query, expected):
    made = {
        "threat": RemovalDecisionFactory(categories=[2]),
        "spam": RemovalDecisionFactory(categories=[7]),
        "old": RemovalDecisionFactory(platform_action="deleted"),
    }
    RemovalAmendmentFactory(decision=made["spam"])
    RemovalAmendmentFactory(
        decision=made["old"], kind="restoration", notified_via="", notification_text=""
    )
    names = {d.reference: n for n, d in made.items()}
    response = login_as(city_admin).get(f"{LIST}?{query}")
    assert {names[r] for r in refs(response)} == expected


def test_account_and_remover_filters(login_as, city_admin, account):
    a = RemovalDecisionFactory(account=account)
    b = RemovalDecisionFactory(removed_by=city_admin)
    client = login_as(city_admin)
    assert refs(client.get(f"{LIST}?account={account.pk}")) == {a.reference}
    assert refs(client.get(f"{LIST}?remover={city_admin.pk}")) == {b.reference}


@pytest.mark.parametrize("name", ["account", "category", "remover"])
@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "²",  # str.isdigit() accepts it, int() raised ValueError (a 500)
        "9" * 5000,  # int() refuses more than 4,300 digits (a 500)
        str(2**63),  # too large for the column: SQLite raised OverflowError
    ],
)
def test_a_filter_value_that_is_not_an_id_is_ignored(login_as, city_admin, name, value):
    made = RemovalDecisionFactory(categories=[7])
    client = login_as(city_admin)
    response = client.get(LIST, {name: value})
    assert response.status_code == 200
    assert refs(response) == {made.reference}
    assert len(_export(client, "?" + urlencode({name: value}))) == 2


@pytest.mark.parametrize("object_id", ["²", "9" * 5000, str(2**63)])
def test_opening_a_record_that_cannot_exist_says_so(login_as, city_admin, object_id):
    response = login_as(city_admin).get(f"{LIST}{object_id}/change/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "doesn\N{RIGHT SINGLE QUOTATION MARK}t exist" in response.content.decode()


def test_opening_a_record_in_the_admin_shows_its_record_page(login_as, city_admin):
    decision = RemovalDecisionFactory()
    response = login_as(city_admin).get(f"{LIST}{decision.pk}/change/")
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()


def test_date_range_filter_is_inclusive_in_the_city_time_zone(login_as, city_admin):
    today = clock.today()
    start = timezone.make_aware(
        timezone.datetime.combine(
            today - timedelta(days=3), timezone.datetime.min.time()
        )
    )
    inside_first = RemovalDecisionFactory(removed_at=start)
    inside_last = RemovalDecisionFactory(removed_at=start + timedelta(days=1, hours=23))
    RemovalDecisionFactory(removed_at=start - timedelta(seconds=1))
    RemovalDecisionFactory(removed_at=start + timedelta(days=2))
    d1 = (today - timedelta(days=3)).isoformat()
    d2 = (today - timedelta(days=2)).isoformat()
    response = login_as(city_admin).get(f"{LIST}?removed_from={d1}&removed_to={d2}")
    assert refs(response) == {inside_first.reference, inside_last.reference}
    assert "Past 7 days" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "time_zone"),
    [
        # 9999-12-31 has no next day: the end of the range raised OverflowError.
        ("removed_to=9999-12-31", "America/Chicago"),
        ("removed_from=0001-01-01&removed_to=9999-12-31", "America/Chicago"),
        # East of UTC, 0001-01-01 starts in year 0 in UTC (what the database
        # stores): the query raised OverflowError.
        ("removed_from=0001-01-01", "Pacific/Auckland"),
    ],
)
def test_date_range_at_the_ends_of_the_calendar_has_no_bound_there(
    login_as, city_admin, settings, query, time_zone
):
    settings.TIME_ZONE = time_zone
    made = RemovalDecisionFactory()
    client = login_as(city_admin)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert refs(response) == {made.reference}
    assert len(_export(client, f"?{query}")) == 2


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("@sunny", "a"),
        ("Sunny", "a"),
        ("bicycle", "b"),
        ("55501", "b"),
        ('"bicycle for"', "b"),
        ("stolen SALE", "b"),
        ('"unbalanced', None),
    ],
)
def test_search_by_author_text_and_comment_id(login_as, city_admin, term, who):
    made = {
        "a": RemovalDecisionFactory(
            author_name="Sunny Acres", author_handle="@sunnyacres"
        ),
        "b": RemovalDecisionFactory(
            comment_text="Stolen bicycle for sale", comment_id="55501"
        ),
    }
    response = login_as(city_admin).get(LIST, {"q": term})
    assert refs(response) == ({made[who].reference} if who else set())


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_queries_do_not_grow_with_rows(login_as, city_admin, account):
    client = login_as(city_admin)
    for _ in range(3):
        RemovalAmendmentFactory(decision=RemovalDecisionFactory(account=account))
    few = _queries(client, LIST)
    for _ in range(20):
        RemovalAmendmentFactory(decision=RemovalDecisionFactory(categories=[2, 7]))
    assert _queries(client, LIST) == few
    # A category filter adds one query (its id), a search at most two (its
    # estimate and matching ids, on PostgreSQL); neither grows with the rows.
    assert _queries(client, f"{LIST}?category=7&q=a") <= few + 3


def _export(client, query: str = "") -> list[list[str]]:
    response = client.get(reverse("admin:moderation_removaldecision_export") + query)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_of_the_filtered_list(
    login_as, city_admin, account_manager, account
):
    decision = services.removal_create(
        by=account_manager,
        account=account,
        comment_url="https://www.facebook.com/lakesideparks/posts/1?comment_id=91",
        comment_text='=HYPERLINK("http://evil.example")',
        author_name="Eve",
        posted_at=clock.now() - timedelta(hours=2),
        removed_at=clock.now() - timedelta(hours=1),
        categories=list(
            __import__(
                "moderation.models", fromlist=["x"]
            ).RemovalCategory.objects.filter(number__in=[1, 2])
        ),
        facts="Obscene and threatening.",
        reasoning="It is obscene and threatens a named person.",
    )
    RemovalDecisionFactory(categories=[7])
    client = login_as(city_admin)
    rows = _export(client, "?category=2")
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["reference"] == decision.reference
    assert row["categories"] == "1 2"
    assert row["author_name"] == "Eve"
    # CSV injection: a comment starting with "=" is not a formula in the export.
    assert row["comment_text"].startswith("'=HYPERLINK")
    assert len(_export(client)) == 3
    event = AuditEvent.objects.get(
        action="moderation.removals.exported", data__filters={"category": "2"}
    )
    assert event.actor == city_admin


@pytest.mark.parametrize(
    "url",
    [
        # PostgreSQL refused each with DataError (a 500): a NUL in a text
        # comparison, or in the export's audit event.
        f"{LIST}?author_handle=%00",
        f"{LIST}?platform_action__exact=%00",
        f"{LIST}export.csv?told=%00",
        f"{LIST}export.csv?q=a%00b",
        f"{LIST}?%00=1",
        "/admin/moderation/removalcategory/?name=%00",
    ],
)
def test_a_null_character_in_a_list_address_is_a_bad_request(login_as, city_admin, url):
    RemovalDecisionFactory()
    response = login_as(city_admin).get(url)
    assert response.status_code == 400
    assert "We could not understand this request" in response.content.decode()
    assert not AuditEvent.objects.filter(action="moderation.removals.exported")


def test_csv_export_shows_managers_only_their_accounts(
    login_as, account_manager, account
):
    RemovalDecisionFactory(account=account)
    RemovalDecisionFactory()
    assert len(_export(login_as(account_manager))) == 2


def test_csv_export_refused_without_view_permission(login_as, make_staff):
    user = make_staff(None)
    response = login_as(user).get(reverse("admin:moderation_removaldecision_export"))
    assert response.status_code in (302, 403)


def test_csv_export_shows_values_after_corrections_and_telling(
    login_as, city_admin, account_manager, account
):
    decision = RemovalDecisionFactory(account=account, platform_action="hidden")
    services.removal_amend(
        decision=decision,
        by=account_manager,
        field="platform_action",
        value="deleted",
        reason="It was deleted.",
    )
    services.removal_notify_author(
        decision=decision, by=account_manager, via="email", text="Hello"
    )
    services.removal_restore(decision=decision, by=account_manager, reason="Appeal.")
    header, row = _export(login_as(city_admin))
    row = dict(zip(header, row, strict=True))
    assert row["platform_action"] == "deleted"
    assert row["author_told"] == "email"
    assert row["restored"] == "yes"
    assert row["corrected"] == "yes"


def test_large_counts_are_estimated_and_marked_on_postgres(
    postgres, login_as, city_admin, monkeypatch
):
    from moderation import paginator

    monkeypatch.setattr(paginator, "EXACT_UP_TO", 3)
    for _ in range(6):
        RemovalDecisionFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE moderation_removaldecision")
    html = login_as(city_admin).get(LIST).content.decode()
    assert "about " in html and "estimated" in html
    # Small results stay exact.
    response = login_as(city_admin).get(
        LIST, {"q": RemovalDecisionFactory().comment_id}
    )
    assert "about" not in response.content.decode().split('class="paginator"')[1]


def test_counts_are_exact_below_the_threshold(login_as, city_admin):
    for _ in range(3):
        RemovalDecisionFactory()
    html = login_as(city_admin).get(LIST).content.decode()
    assert "3 removal decisions" in html
    assert "estimated" not in html


def test_categories_cannot_be_added_renamed_or_deleted(login_as, city_admin):
    from moderation.models import RemovalCategory

    spam = RemovalCategory.objects.get(number=7)
    client = login_as(city_admin)
    url = reverse("admin:moderation_removalcategory_change", args=[spam.pk])
    response = client.post(
        url,
        {
            "name": "Anything we dislike",
            "local_explanation": "Including chain letters.",
        },
    )
    assert response.status_code == 302
    spam.refresh_from_db()
    assert spam.name == "Commercial promotions or spam"  # P21 wording stands
    assert spam.local_explanation == "Including chain letters."
    assert "Including chain letters." in spam.full_explanation
    assert (
        client.get(reverse("admin:moderation_removalcategory_add")).status_code == 403
    )
    delete = reverse("admin:moderation_removalcategory_delete", args=[spam.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RemovalCategory.objects.count() == 8
