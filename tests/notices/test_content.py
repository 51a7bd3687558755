"""The notice (N1-N9) and policy (P1-P25) are written from the city profile."""

from __future__ import annotations

import re

import pytest

from moderation.models import RemovalCategory
from notices.diff import document_lines
from notices.selectors import document_generate

pytestmark = pytest.mark.django_db

NOTICE_ANCHORS = [
    "notice-why",  # N1
    "notice-public",  # N2
    "notice-endorsement",  # N3
    "notice-others",  # N4
    "notice-removal",  # N5
    "notice-appeal",  # N6
    "notice-challenge",  # N7
    "notice-contact",  # N8
    "notice-agreement",  # N9
]


def _text(kind: str) -> str:
    doc = document_generate(kind=kind)
    return "\n".join(document_lines(doc.title, doc.sections))


def _section_text(kind: str, anchor: str) -> str:
    doc = document_generate(kind=kind)
    section = next(s for s in doc.sections if s["anchor"] == anchor)
    return "\n".join(document_lines("", [section]))


def test_notice_has_one_numbered_section_per_n_provision(city_profile):
    doc = document_generate(kind="notice")
    assert [s["anchor"] for s in doc.sections] == NOTICE_ANCHORS
    assert [s["number"] for s in doc.sections] == list(range(1, 10))


def test_policy_anchors_are_unique_and_distinct_from_the_notices(city_profile):
    anchors = [s["anchor"] for s in document_generate(kind="policy").sections]
    assert len(anchors) == len(set(anchors)) >= 12
    assert all(a.startswith("policy-") for a in anchors)
    assert not set(anchors) & set(NOTICE_ANCHORS)


def test_notice_is_filled_from_the_city_profile(city_profile):
    city_profile.general_phone = "(555) 123-4567"
    city_profile.save()
    text = _text("notice")
    assert "City of Maple Falls" in text
    assert city_profile.official_website in text  # N1, P5
    # N6: to whom and where to appeal.
    appeal = _section_text("notice", "notice-appeal")
    assert "City Clerk" in appeal and "clerk@maplefalls.example.gov" in appeal
    assert "1 Main St, Maple Falls, MN 55001" in appeal
    assert "10 business days" in appeal  # the profile's answer target
    # N7: legality challenges to the legality contact.
    challenge = _section_text("notice", "notice-challenge")
    assert "admin@maplefalls.example.gov" in challenge
    # N8: the general contact, by e-mail and phone.
    contact = _section_text("notice", "notice-contact")
    assert "info@maplefalls.example.gov" in contact and "(555) 123-4567" in contact


def test_profile_change_changes_the_generated_text(city_profile):
    before = _text("notice")
    city_profile.city_name = "Birch Lake"
    city_profile.appeal_email = "appeals@birchlake.example.gov"
    city_profile.save()
    after = _text("notice")
    assert "City of Maple Falls" in before and "City of Maple Falls" not in after
    assert "clerk@maplefalls.example.gov" in before
    assert "clerk@maplefalls.example.gov" not in after
    assert "Birch Lake" in after and "appeals@birchlake.example.gov" in after


def test_no_city_detail_is_hard_coded(city_profile):
    """Every city-specific string comes from the profile, none from the code."""
    for field in ("appeal", "legality"):
        setattr(city_profile, f"{field}_postal_address", "PO Box 9\nZqxville, MN")
        setattr(city_profile, f"{field}_email", f"{field}@zqx.example.org")
    city_profile.general_email = "info@zqx.example.org"
    city_profile.city_name = "Zqxville"
    city_profile.official_website = "https://zqx.example.org"
    city_profile.save()
    for kind in ("notice", "policy"):
        text = _text(kind)
        for other in ("Maple Falls", "maplefalls", "Lakeside", "lakeside"):
            assert other not in text
        assert "City of Zqxville" in text and "https://zqx.example.org" in text


def test_all_eight_categories_with_local_explanations_are_listed(city_profile):
    category = RemovalCategory.objects.get(number=7)
    category.local_explanation = "This includes chain letters about raffles."
    category.save()
    for kind, anchor in (("notice", "notice-removal"), ("policy", "policy-comments")):
        section = _section_text(kind, anchor)
        for cat in RemovalCategory.objects.all():
            assert cat.name in section and cat.explanation in section
        assert "chain letters about raffles" in section
        doc = document_generate(kind=kind)
        blocks = next(s for s in doc.sections if s["anchor"] == anchor)["blocks"]
        terms = [b for b in blocks if b["type"] == "terms"]
        assert [len(b["items"]) for b in terms] == [8]


def test_councilmember_option_changes_the_policy(city_profile):
    assert "does not keep social media accounts for elected" in _text("policy")
    city_profile.councilmember_accounts_covered = True
    city_profile.save()
    text = _text("policy")
    assert "councilmembers use for their council work under this policy" in text
    assert "does not keep social media accounts for elected" not in text


def test_policy_names_each_blank_from_the_profile(city_profile):
    city_profile.approving_authority = "City Council"
    city_profile.scope_contact = "Communications Director"
    city_profile.sensitive_info_contact = "Data Practices Compliance Official"
    city_profile.save()
    assert "ask the City Council" in _section_text("policy", "policy-new-accounts")
    assert "Communications Director" in _section_text("policy", "policy-scope")
    assert "Data Practices Compliance Official" in _section_text(
        "policy", "policy-conduct"
    )


def test_notice_links_to_the_public_forms_when_they_exist(city_profile):
    from django.urls import NoReverseMatch, reverse

    doc = document_generate(kind="notice")
    hrefs = [
        item["href"]
        for s in doc.sections
        for b in s["blocks"]
        if b["type"] == "links"
        for item in b["items"]
    ]
    assert reverse("notices:policy") in hrefs
    for name in ("appeals:appeal-new", "appeals:challenge-new"):
        try:
            url = reverse(name)
        except NoReverseMatch:  # the appeals app has not built its form yet
            continue
        assert url in hrefs


# What each section must still say however plainly it is worded: the provision's
# required content (policy-requirements.md), phrase by phrase.
REQUIRED_CONTENT = [
    ("notice", "notice-why", "N1", ["in more places and in more ways"]),
    (
        "notice",
        "notice-public",
        "N2",
        [
            "government data",
            "Minnesota Government Data Practices Act",
            "public unless another law says otherwise",
            "may still exist after you or the city delete it",
            "Social Security number",
        ],
    ),
    ("notice", "notice-endorsement", "N3", ["does not mean the city supports"]),
    (
        "notice",
        "notice-others",
        "N4",
        ["not responsible for websites that others link to", "comments that others"],
    ),
    ("notice", "notice-removal", "N5", ["only if it fits at least one of these eight"]),
    ("notice", "notice-appeal", "N6", ["in writing", "Your appeal goes to the"]),
    (
        "notice",
        "notice-challenge",
        "N7",
        ["against the law", "challenge it in writing", "city attorney"],
    ),
    ("notice", "notice-contact", "N8", ["Contact the", "follow up with you"]),
    ("notice", "notice-agreement", "N9", ["have been told what this notice says"]),
    (
        "policy",
        "policy-purpose",
        "P1, P2",
        [
            "not used for anything vital",
            "does not do official business on social media",
            "declared disaster, natural or man-made",
        ],
    ),
    (
        "policy",
        "policy-ownership",
        "P3, P4",
        [
            "city property",
            "administrator access",
            "keeps a record",
            "at any time, for any reason, without notice",
        ],
    ),
    ("policy", "policy-identity", "P5, P15", ["belongs to", "public notice"]),
    ("policy", "policy-elected", "P6", ["never covers the personal accounts"]),
    ("policy", "policy-scope", "P7", ["sponsors, sets up, registers or approves"]),
    (
        "policy",
        "policy-definitions",
        "P9, P10",
        ["E-mail is not social media", "contractors and councilmembers"],
    ),
    (
        "policy",
        "policy-new-accounts",
        "P11, P12, P14",
        ["must first ask the", "No one may open an account for the city without"],
    ),
    (
        "policy",
        "policy-conduct",
        "P16, P17, P18",
        [
            "Follow the law",
            "personal, political or policy issues",
            "city employment relations",
            "confidential or sensitive information",
        ],
    ),
    (
        "policy",
        "policy-requests",
        "P19",
        ["follows up by phone, e-mail or another way", "in a new post"],
    ),
    (
        "policy",
        "policy-comments",
        "P20, P21",
        ["never edit a comment", "does not name a category is not allowed"],
    ),
    ("policy", "policy-appeals", "P22", ["appeal in writing", "answers in writing"]),
    (
        "policy",
        "policy-challenges",
        "P23",
        ["challenge in writing", "city attorney", "as soon as it reasonably can"],
    ),
    (
        "policy",
        "policy-records",
        "P24",
        ["belongs to the city", "city device or on a personal one", "chapter 13"],
    ),
    (
        "policy",
        "policy-retention",
        "P25, R5",
        [
            "only until they are read",
            "keeps a record that they were destroyed",
            "schedule says for business",
        ],
    ),
]


@pytest.mark.parametrize(
    ("kind", "anchor", "provisions", "phrases"),
    REQUIRED_CONTENT,
    ids=[row[2] for row in REQUIRED_CONTENT],
)
def test_plain_wording_keeps_what_each_provision_requires(
    city_profile, kind, anchor, provisions, phrases
):
    text = " ".join(_section_text(kind, anchor).split())
    for phrase in phrases:
        assert phrase in text, f"{provisions}: {phrase!r} missing from {anchor}"


def test_sentences_stay_short_for_plain_language(city_profile):
    """Grade 8 aim: no sentence in either document runs past 40 words."""
    for kind in ("notice", "policy"):
        for line in document_lines("", document_generate(kind=kind).sections):
            for sentence in re.split(r"(?<=[.:!?])\s+", line):
                assert len(sentence.split()) <= 40, sentence
