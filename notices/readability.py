"""How hard the public notice and the policy page are to read.

The documents are written in plain language for residents (N1-N9, P1-P25), aimed
at a reading grade of ``GRADE_TARGET`` or below. This module measures that with
the Flesch-Kincaid grade level:

    grade = 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

a United States school grade: 8.0 reads like text for an eighth-grader. It only
counts sentence length and word length, so it is a guide for the reviewer, not a
verdict on the wording.

What is measured is the running text a resident reads: paragraphs, list items and
the removal categories (each category's name and explanation, as shown). Titles,
headings, postal addresses and the labels of links to this site's pages are not
sentences and are left out. A web or e-mail address counts as one word of one
syllable: a reader takes it in as an address, not as a long word, and it must
not split a sentence at its dots. A number counts as one word of one syllable.

Syllables are counted by English spelling rules (vowel groups, silent final "e",
"-ed" and "-es" endings), not looked up in a dictionary, so a word is now and
then a syllable off; ``tests/notices/test_readability.py`` checks the count on
the words these documents use. (The ``textstat`` package was considered: its
current releases download a pronouncing dictionary from the internet the first
time they run, which a city server should not do and which fails offline, and
its older releases need ``pkg_resources``, which setuptools no longer ships.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Plain-language aim for the notice and the policy: grade 8 or below.
GRADE_TARGET = 8.0

_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
# An address is replaced by this one-syllable word before anything is counted.
_ADDRESS_WORD = "link"
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)]*(?=\s|$)")

# Words the spelling rules below count wrongly (checked against the CMU
# Pronouncing Dictionary). Add to it when a common word in the documents is
# miscounted.
_SYLLABLE_EXCEPTIONS = {
    "anyone": 3,
    "area": 3,
    "business": 2,
    "create": 2,
    "created": 3,
    "creates": 2,
    "everyday": 3,
    "everyone": 3,
    "everything": 3,
    "facebook": 2,
    "flickr": 2,
    "idea": 3,
    "ideas": 3,
    "people": 2,
    "safety": 2,
    "someone": 2,
    "trademark": 2,
    "video": 3,
    "videos": 3,
    "youtube": 2,
}

_VOWELS = "aeiouy"
# Two vowels spoken apart (me-di-a, vi-o-late, ac-tu-al); the condition on the
# letter before leaves out "cia", "tio", "sio"... (so-cial, ac-tion) and "qua",
# "gua" (e-qual, lan-guage); "io" before a final "n" is one (un-ion, mil-lion).
_HIATUS = re.compile(r"(?<![ctsgxqj])i[ao](?!ns?$|nal)|(?<![qg])ua|iu")
# A silent "e" before a suffix (state-ment, safe-ly, use-ful), after a single
# consonant that follows a vowel.
_SILENT_E_SUFFIX = re.compile(r"[aeiouy][^aeiouy]e(ment|ments|ly|ful|less|ness)$")


def syllables(word: str) -> int:
    """Return the number of syllables in the English ``word`` (at least 1)."""
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = re.sub(r"[^a-z]", "", word)
    if not word:
        return 1
    if word in _SYLLABLE_EXCEPTIONS:
        return _SYLLABLE_EXCEPTIONS[word]
    # "y" is a consonant at the start of a word or after a vowel (yes, player,
    # employee): write it as "j" so that only vowels are left in vowel groups.
    word = re.sub(r"^y|(?<=[aeiou])y", "j", word)
    count = len(re.findall(r"[aeiouy]+", word))
    count += len(_HIATUS.findall(word))
    if word.endswith("ing") and len(word) > 4 and word[-4] in _VOWELS:
        count += 1  # do-ing, be-ing, re-ply-ing
    if _SILENT_E_SUFFIX.search(word) or word.endswith("ically"):
        count -= 1  # state-ment; ba-sic-ally
    if word.endswith("e") and len(word) > 2 and word[-2] not in _VOWELS:
        # A silent final "e" (make, notice), but "-le" after a consonant is
        # spoken (table, people).
        if not (word.endswith("le") and word[-3] not in _VOWELS):
            count -= 1
    elif word.endswith("ed") and len(word) > 3 and word[-3] not in "aeioutdy":
        # asked, removed; but wanted, needed and agreed are as spelled, and so
        # is "-led" after a consonant (han-dled), unless it is "-lled" (called)
        if not (word.endswith("led") and word[-4] not in _VOWELS + "l"):
            count -= 1
    elif (
        word.endswith("es")
        and len(word) > 3
        and word[-3] not in _VOWELS
        and not word.endswith(("ses", "xes", "zes", "ches", "shes", "ges", "ces"))
        and not (word.endswith("les") and word[-4] not in _VOWELS)
    ):
        count -= 1  # makes, rules, sites; but uses, pages, boxes, examples
    return max(count, 1)


@dataclass(frozen=True)
class Readability:
    """Counts of a text and its Flesch-Kincaid grade level."""

    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Return the grade, rounded to one decimal (0.0 for an empty text)."""
        if not self.words or not self.sentences:
            return 0.0
        grade = (
            0.39 * self.words / self.sentences
            + 11.8 * self.syllables / self.words
            - 15.59
        )
        return round(grade, 1)

    @property
    def target(self) -> float:
        return GRADE_TARGET

    @property
    def meets_target(self) -> bool:
        return self.grade <= GRADE_TARGET

    def __add__(self, other: Readability) -> Readability:
        return Readability(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
        )


def readability(*paragraphs: str) -> Readability:
    """Return the counts and grade of ``paragraphs``.

    Each paragraph ends at least one sentence, whether or not it ends with a full
    stop (a list item, a line ending with a colon before an address).
    """
    total = Readability(0, 0, 0)
    for paragraph in paragraphs:
        text = _ADDRESS.sub(_ADDRESS_WORD, paragraph)
        sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
        words = _WORD.findall(text)
        total += Readability(
            words=len(words),
            sentences=len(sentences),
            syllables=sum(syllables(w) for w in words),
        )
    return total


def section_paragraphs(section: dict[str, Any]) -> list[str]:
    """Return the running text of a document section, one string per paragraph,
    list item or removal category (see the module docstring for what is left out).
    """
    paragraphs: list[str] = []
    for block in section["blocks"]:
        if block["type"] == "p":
            paragraphs.append(block["text"])
        elif block["type"] == "list":
            paragraphs.extend(block["items"])
        elif block["type"] == "terms":
            paragraphs.extend(f"{i['term']}. {i['text']}" for i in block["items"])
    return paragraphs


def document_readability(sections: list[dict[str, Any]]) -> Readability:
    """Return the reading level of a whole document (a version's ``sections``)."""
    return readability(*(p for s in sections for p in section_paragraphs(s)))


@dataclass(frozen=True)
class SectionReadability:
    anchor: str
    number: int
    title: str
    readability: Readability


def sections_readability(sections: list[dict[str, Any]]) -> list[SectionReadability]:
    """Return the reading level of each section, to find the hard ones."""
    return [
        SectionReadability(
            s["anchor"], s["number"], s["title"], readability(*section_paragraphs(s))
        )
        for s in sections
    ]
