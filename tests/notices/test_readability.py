"""The reading level of the notice and the policy (notices.readability)."""

from __future__ import annotations

import pytest

from notices.readability import (
    GRADE_TARGET,
    Readability,
    document_readability,
    readability,
    sections_readability,
    syllables,
)
from notices.selectors import document_generate
from tests.notices.syllable_counts import DOCUMENT_WORDS, OTHER_WORDS

# Syllables -----------------------------------------------------------------------

RULE_EXAMPLES = [
    # silent final e, but "-le" after a consonant and "-ue" are spoken
    "make", "notice", "table", "free", "value", "continue", "true",
    # -ed: silent after most consonants, spoken after t and d, "-led" after a
    # consonant spoken but not "-lled"
    "asked", "removed", "wanted", "needed", "agreed", "played", "handled", "called",
    # -es: silent after most consonants, spoken after s, x, z, ch, sh, g, c, "-Cles"
    "makes", "rules", "sites", "uses", "pages", "places", "examples", "categories",
    # y as a consonant (start of a word, after a vowel) and as a vowel
    "yes", "player", "employee", "employees", "city", "every", "replying",
    # -ing after a vowel
    "doing", "being", "saying", "posting",
    # two vowels spoken apart, and the pairs that are one
    "media", "material", "violation", "social", "official", "actual", "equal",
    "language", "union", "national", "period", "radio", "curious", "religious",
    "via", "sexual", "intellectual",
    # silent e before a suffix; -ically
    "statement", "safely", "useful", "careful", "management",
    # exceptions
    "people", "business", "everything", "anyone", "someone", "area", "idea",
    "video", "create",
]  # fmt: skip


@pytest.mark.parametrize("word", RULE_EXAMPLES)
def test_syllables_of_words_that_show_each_rule(word):
    assert syllables(word) == DOCUMENT_WORDS[word]
    assert syllables(word.capitalize()) == DOCUMENT_WORDS[word]


def test_syllables_match_the_dictionary_for_the_documents_words():
    wrong = {w: syllables(w) for w, n in DOCUMENT_WORDS.items() if syllables(w) != n}
    assert len(wrong) <= len(DOCUMENT_WORDS) // 100, wrong


def test_syllables_match_the_dictionary_for_other_words():
    """Words the rules were not tuned on: at least 95% exact, and the total (what
    the grade depends on) within 2%."""
    wrong = {w: syllables(w) for w, n in OTHER_WORDS.items() if syllables(w) != n}
    assert len(wrong) <= len(OTHER_WORDS) * 5 // 100, wrong
    ours = sum(syllables(w) for w in OTHER_WORDS)
    theirs = sum(OTHER_WORDS.values())
    assert abs(ours - theirs) <= theirs * 0.02


@pytest.mark.parametrize(
    ("word", "count"),
    [("city's", 2), ("someone\u2019s", 2), ("e-mail", 2), ("911", 1), ("X", 1)],
)
def test_syllables_of_possessives_hyphens_and_numbers(word, count):
    assert syllables(word) == count


# Counting a text -----------------------------------------------------------------


def test_grade_of_a_hand_counted_text():
    # Residents(3) may(1) appeal(2) a(1) removal(3) in(1) writing(2): 7 words, 13
    # syllables; The(1) city(2) answers(2) as(1) soon(1) as(1) it(1)
    # reasonably(4) can(1): 9 words, 14 syllables.
    result = readability(
        "Residents may appeal a removal in writing. "
        "The city answers as soon as it reasonably can."
    )
    assert result == Readability(words=16, sentences=2, syllables=27)
    # 0.39 * 16 / 2 + 11.8 * 27 / 16 - 15.59 = 7.4425
    assert result.grade == 7.4


def test_longer_sentences_and_longer_words_raise_the_grade():
    short = readability("We read it. We answer you. We keep a note.")
    long_sentence = readability("We read it, we answer you and we keep a note.")
    long_words = readability(
        "We examine it. We respond immediately. We maintain documentation."
    )
    assert short.grade < long_sentence.grade
    assert short.grade < long_words.grade


def test_an_address_is_one_short_word_and_does_not_end_a_sentence():
    result = readability(
        "E-mail clerk@maplefalls.example.gov or visit "
        "https://www.maplefalls.example.gov/appeals/ today."
    )
    # E-mail, <address>, or, visit, <address>, today
    assert (result.words, result.sentences) == (6, 1)
    assert result.syllables == 2 + 1 + 1 + 2 + 1 + 2


def test_each_paragraph_ends_a_sentence_and_questions_end_sentences():
    assert readability("Send a letter to:", "Ask the City Clerk").sentences == 2
    assert readability("Not sure? Ask the clerk!").sentences == 2
    # A full stop inside a number or a name does not end a sentence.
    assert readability("Chapter 13.1 of the Act applies.").sentences == 1


def test_an_empty_text_has_grade_zero():
    assert readability().grade == 0.0
    assert readability("", "   ").grade == 0.0


def test_the_target_is_grade_8_or_below_as_shown_to_one_decimal():
    assert GRADE_TARGET == 8.0
    # 0.39 * 10 + 11.8 * 1.672 - 15.59 = 8.0396, shown as 8.0: within the aim.
    assert Readability(1000, 100, 1672).grade == 8.0
    assert Readability(1000, 100, 1672).meets_target
    # 8.0632, shown as 8.1: above it.
    assert Readability(1000, 100, 1674).grade == 8.1
    assert not Readability(1000, 100, 1674).meets_target


def test_headings_addresses_and_links_are_not_measured():
    paragraph = "The city answers in writing."
    sections = [
        {
            "anchor": "a",
            "number": 1,
            "title": "Extraordinarily complicated administrative considerations",
            "blocks": [
                {"type": "p", "text": paragraph},
                {
                    "type": "address",
                    "label": "Mail",
                    "lines": ["Municipal Administration"],
                },
                {
                    "type": "links",
                    "items": [{"label": "Administrative", "href": "/x/"}],
                },
                {"type": "list", "items": ["Call us", "Write to us."]},
                {"type": "terms", "items": [{"term": "Spam", "text": "Ads."}]},
            ],
        }
    ]
    expected = readability(paragraph, "Call us", "Write to us.", "Spam. Ads.")
    assert document_readability(sections) == expected
    [section] = sections_readability(sections)
    assert (section.anchor, section.number) == ("a", 1)
    assert section.readability == expected


# The generated documents -----------------------------------------------------------


@pytest.mark.django_db
def test_the_default_notice_is_at_or_under_the_target_grade(city_profile):
    """Plain language (N1-N9): the notice generated for the suite's default city is
    at grade 8 or below (7.1 with the wording of GENERATOR_VERSION 2; 8.0 before)."""
    doc = document_generate(kind="notice")
    result = document_readability(doc.sections)
    assert result.words > 500  # the whole notice was measured
    assert result.grade <= GRADE_TARGET, result


@pytest.mark.django_db
@pytest.mark.parametrize("councilmembers", [False, True])
def test_the_default_policy_stays_within_half_a_grade_of_the_target(
    city_profile, councilmembers
):
    """The policy (P1-P25) must name legal terms the notice can avoid (the Minnesota
    Government Data Practices Act, administrator access, councilmembers) and lists
    the eight categories; it measured 8.1 with the wording of GENERATOR_VERSION 2
    (10.0 before). It must not drift further from the aim."""
    city_profile.councilmember_accounts_covered = councilmembers
    city_profile.save()
    doc = document_generate(kind="policy")
    result = document_readability(doc.sections)
    assert result.words > 800
    assert result.grade <= GRADE_TARGET + 0.5, result
