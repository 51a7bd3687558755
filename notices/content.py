"""The words of the public notice (N1-N9) and of the policy page (P1-P25).

Written by us in plain language, never copied from the model policy: short
sentences and common words, aimed at a reading grade of 8 or below
(``notices.readability`` measures it; the review page shows it; the tests hold
the notice to it and the policy within half a grade). Every city detail comes
from ``accounts.CityProfile`` and the eight removal categories (``notices.sources``);
nothing about a particular city is in this file.

A document is a title and a list of sections::

    {"anchor": "notice-removal", "number": 5, "title": "...", "blocks": [...]}

and each block is one of:

* ``{"type": "p", "text": str}``: a paragraph (web and e-mail addresses in it
  become links when shown);
* ``{"type": "list", "items": [str, ...]}``: a bulleted list;
* ``{"type": "terms", "items": [{"term": str, "text": str}, ...]}``: a numbered
  list of named items (the removal categories);
* ``{"type": "address", "label": str, "lines": [str, ...]}``: a postal address;
* ``{"type": "links", "items": [{"label": str, "href": str}, ...]}``: links to
  pages of this site (paths, e.g. the appeal form).

Anchors are stable: they name a part of the document, not its position, so a
legality challenge (P23) that names ``policy-comments`` keeps meaning the same part
in later versions. Change the wording freely, but keep the anchors; add
``GENERATOR_VERSION`` by one whenever the wording changes, so a version records
which wording produced it. Any change of the generated text is picked up as a new
draft for the City Administrator to review (``notices.services``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

GENERATOR_VERSION = 2

Block = dict[str, Any]
Section = dict[str, Any]


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    sections: list[Section]


def _url(name: str, **kwargs: Any) -> str | None:
    """Return the path of a named page, or None while that page does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _p(text: str) -> Block:
    return {"type": "p", "text": text}


def _list(*items: str) -> Block:
    return {"type": "list", "items": list(items)}


def _address(label: str, text: str) -> Block:
    lines = [line.strip() for line in text.splitlines()]
    return {"type": "address", "label": label, "lines": [ln for ln in lines if ln]}


def _links(*pairs: tuple[str, str | None]) -> Block | None:
    items = [{"label": label, "href": href} for label, href in pairs if href]
    return {"type": "links", "items": items} if items else None


def _section(anchor: str, title: str, *blocks: Block | None) -> Section:
    return {
        "anchor": anchor,
        "title": title,
        "blocks": [b for b in blocks if b is not None],
    }


def _numbered(sections: list[Section]) -> list[Section]:
    return [{**section, "number": i} for i, section in enumerate(sections, start=1)]


def _contact(profile: Any) -> str:
    parts = [f"e-mail {profile.general_email}"]
    if profile.general_phone:
        parts.append(f"call {profile.general_phone}")
    return " or ".join(parts)


def _categories(categories: list[Any]) -> Block:
    items = []
    for category in categories:
        text = category.explanation.strip()
        if category.local_explanation.strip():
            text = f"{text} {category.local_explanation.strip()}"
        items.append({"term": category.name, "text": text})
    return {"type": "terms", "items": items}


def _days(n: int) -> str:
    return "1 business day" if n == 1 else f"{n} business days"


def build_notice(*, profile: Any, categories: list[Any]) -> Document:
    """Return the public notice (N1-N9) for the city described by ``profile``."""
    city = profile.city_name
    appeal_form = _url("appeals:appeal-new")
    challenge_form = _url("appeals:challenge-new")
    policy = _url("notices:policy")
    sections = [
        # N1
        _section(
            "notice-why",
            "Why we are on social media",
            _p(
                f"The City of {city} uses social media to reach more people, in more "
                "places and in more ways. We share news and information, and we want "
                "to hear what you think."
            ),
            _p(
                f"Our official website, {profile.official_website}, is still the "
                "main place for city information. Every city account links to it."
            ),
        ),
        # N2
        _section(
            "notice-public",
            "What you post is public",
            _p(
                "Posts, comments and messages on city accounts are government data "
                "under a state law, the Minnesota Government Data Practices Act "
                "(Minnesota Statutes, chapter 13). That law treats them as public "
                "unless another law says otherwise. So anyone may ask to see them."
            ),
            _p(
                "Other people can copy or save what you post. It may still exist "
                "after you or the city delete it."
            ),
            _p(
                "Do not post anything private or sensitive about yourself or anyone "
                "else. For example, never post a Social Security number, a date of "
                "birth, a bank or card number, or health details."
            ),
        ),
        # N3
        _section(
            "notice-endorsement",
            "Following is not support",
            _p(
                "The city may follow, friend, like or share a person, business or "
                "group. That does not mean the city supports them or what they say."
            ),
        ),
        # N4
        _section(
            "notice-others",
            "Links and comments from others",
            _p(
                "The city is not responsible for websites that others link to, or "
                "for comments that others post. A comment shows the view of the "
                "person who wrote it, not the view of the city."
            ),
        ),
        # N5 (P20, P21)
        _section(
            "notice-removal",
            "When a comment may be removed",
            _p(
                "City staff never edit your comments. The city may remove a comment "
                "only if it fits at least one of these eight categories:"
            ),
            _categories(categories),
            _p(
                "The city does not remove comments for any other reason. For "
                "example, it does not remove a comment because it criticizes the "
                "city. When a comment is removed, the city keeps a record of it and "
                "of the category that applied."
            ),
        ),
        # N6 (P22)
        _section(
            "notice-appeal",
            "How to appeal a removed comment",
            _p(
                "If the city removed your comment, you can ask us in writing to "
                "look at it again. Tell us why your comment does not fit any of the "
                "eight categories."
            ),
            _p(
                f"Your appeal goes to the {profile.appeal_contact}. You can use the "
                f"online appeal form, e-mail {profile.appeal_email}, or send a "
                "letter to:"
                if appeal_form
                else f"Your appeal goes to the {profile.appeal_contact}. You can "
                f"e-mail {profile.appeal_email} or send a letter to:"
            ),
            _address("Mail appeals to", profile.appeal_postal_address),
            _links(("File an appeal online", appeal_form)),
            _p(
                "We will answer you in writing as soon as we reasonably can. We aim "
                f"to answer within {_days(profile.appeal_answer_days)}."
            ),
        ),
        # N7 (P23)
        _section(
            "notice-challenge",
            "How to challenge this notice or the policy",
            _p(
                "Do you think any part of this notice or of the city's social media "
                "policy is against the law? Anyone may challenge it in writing. "
                "Explain in detail why you think so."
            ),
            _p(
                f"Your challenge goes to the {profile.legality_contact}. You can use "
                f"the online challenge form, e-mail {profile.legality_email}, or "
                "send a letter to:"
                if challenge_form
                else f"Your challenge goes to the {profile.legality_contact}. You "
                f"can e-mail {profile.legality_email} or send a letter to:"
            ),
            _address("Mail challenges to", profile.legality_postal_address),
            _links(
                ("Challenge the notice or the policy online", challenge_form),
                ("Read the social media policy", policy),
            ),
            _p(
                "We will soon let you know that we got it. We will ask the city "
                "attorney for advice. Then we will answer you in writing as soon as "
                "we reasonably can."
            ),
        ),
        # N8 (P19)
        _section(
            "notice-contact",
            "Other questions",
            _p(
                "Do you have another question about the city's social media? "
                f"Contact the {profile.general_contact}: {_contact(profile)}."
            ),
            _p(
                "Social media is not the place to do city business. If you ask for "
                "a service or start a request here, the city will follow up with "
                "you by phone, e-mail or another way. In an emergency, call 911."
            ),
        ),
        # N9
        _section(
            "notice-agreement",
            "Using this page",
            _p(
                "Using or posting on a city social media account means that you "
                "have been told what this notice says."
            ),
        ),
    ]
    return Document(
        kind="notice",
        title=f"Public notice for City of {city} social media",
        sections=_numbered(sections),
    )


def build_policy(*, profile: Any, categories: list[Any]) -> Document:
    """Return the city's social media policy (P1-P25) for ``profile``."""
    city = profile.city_name
    notice = _url("notices:notice")
    account_list = _url("accounts:public-list") or _url("notices:home")
    appeal_form = _url("appeals:appeal-new")
    challenge_form = _url("appeals:challenge-new")
    if profile.councilmember_accounts_covered:
        elected = _p(
            "The city has chosen to bring accounts that councilmembers use for "
            "their council work under this policy. Those accounts follow every "
            "rule here, like any other city account."
        )
    else:
        elected = _p(
            "The city does not keep social media accounts for elected officials. "
            "This policy does not cover accounts that councilmembers keep "
            "themselves."
        )
    sections = [
        # P1, P2
        _section(
            "policy-purpose",
            "Why the city uses social media",
            _p(
                f"The City of {city} uses social media to share everyday news and "
                "general information. It tells people what the city is doing and "
                "asks for their ideas. It is not used for anything vital."
            ),
            _p(
                "The city does not do official business on social media, with one "
                "exception. In a declared disaster, natural or man-made, the city "
                "may decide that social media is the best way to reach people. Then "
                "it may do city business there."
            ),
        ),
        # P3, P4
        _section(
            "policy-ownership",
            "City accounts belong to the city",
            _p(
                "Every city social media account is city property. The city "
                "decides who gets administrator access to an account and when that "
                "access ends. It makes these choices under its rules for the use "
                "of city computers, and it keeps a record of each one."
            ),
            _p(
                "The city may close any of its accounts at any time, for any "
                "reason, without notice."
            ),
        ),
        # P5, P13, P15
        _section(
            "policy-identity",
            "How you can tell an account is the city's",
            _p(
                "Every account opened for city work says clearly that it belongs to "
                f"the city. It links to the official website, "
                f"{profile.official_website}."
            ),
            _p(
                "Every account also shows the city's public notice, or links to it. "
                "The notice explains the rules for comments and how to appeal."
            ),
            _links(("Read the public notice", notice)),
        ),
        # P6
        _section(
            "policy-elected",
            "Elected officials and personal accounts",
            elected,
            _p(
                "This policy never covers the personal accounts of councilmembers "
                "or city staff. It also does not cover any account that the city's "
                "social media managers do not control."
            ),
        ),
        # P7, P8
        _section(
            "policy-scope",
            "Which accounts this policy covers",
            _p(
                "This policy covers the accounts on the city's official account "
                "list, which shows the platform and a link for each one. It also "
                "covers any account the city sponsors, sets up, registers or "
                "approves. An account that is not on the list is not a city "
                "account."
            ),
            _links(("See the official account list", account_list)),
            _p(
                "Not sure if this policy covers an account? Ask the "
                f"{profile.scope_contact}."
            ),
        ),
        # P9, P10
        _section(
            "policy-definitions",
            "Words used in this policy",
            _list(
                "Social media: any website or app where people share and talk about "
                "things they post. E-mail is not social media. Examples are social "
                "networks such as Facebook, LinkedIn, X and Nextdoor. Others are "
                "blogs, news sharing sites such as Reddit, and video and photo "
                "sites such as YouTube, Instagram, Snapchat and Flickr. Wikis and "
                "new sites of the same kind count too.",
                "Employees and agents: everyone who acts for the city. This "
                "includes employees, contractors and councilmembers.",
                "Social media manager: a person with administrator access to a city "
                "account. When they post or reply, they appear as the account.",
            ),
        ),
        # P11, P12, P14
        _section(
            "policy-new-accounts",
            "Who runs city accounts and how new ones are approved",
            _p("Social media managers run the city's accounts."),
            _p(
                "A department or facility that wants a new account must first ask "
                f"the {profile.approving_authority}. The "
                f"{profile.approving_authority} makes sure the city has no more "
                "accounts than it can look after well. They also make sure that "
                "the rules here are followed."
            ),
            _p("No one may open an account for the city without that approval."),
        ),
        # P16, P17, P18
        _section(
            "policy-conduct",
            "Rules for staff who post for the city",
            _list(
                "Follow the law, city rules and good business manners.",
                "Never use a city account for private or personal things. Do not "
                "use it to give your own views on personal, political or policy "
                "issues. Do not use it for matters about city employment relations.",
                "Never share private, confidential or sensitive information. If "
                f"you are not sure, ask the {profile.sensitive_info_contact} first.",
            ),
        ),
        # P19
        _section(
            "policy-requests",
            "Questions and requests made on social media",
            _p(
                "Someone may use social media to start a request, an application or "
                "a question. If it affects city business or needs another city "
                "process, the city follows up by phone, e-mail or another way."
            ),
            _p(
                "Some questions matter to many people. The city may answer those in "
                "the comments, by updating the original post, or in a new post."
            ),
        ),
        # P20, P21
        _section(
            "policy-comments",
            "Comments from the public",
            _p("Social media managers never edit a comment posted by the public."),
            _p(
                "A comment may be removed only if it fits at least one of these "
                "eight categories. A removal that does not name a category is not "
                "allowed."
            ),
            _categories(categories),
        ),
        # P22
        _section(
            "policy-appeals",
            "Appealing a removed comment",
            _p(
                "A person whose comment was removed may appeal in writing. The "
                "appeal explains why the comment does not fit any category and asks "
                "the city to look at it again. The city answers in writing as soon "
                f"as reasonably possible. Appeals go to the {profile.appeal_contact} "
                f"({profile.appeal_email})."
            ),
            _links(("File an appeal online", appeal_form)),
        ),
        # P23
        _section(
            "policy-challenges",
            "Challenging this policy or the notice",
            _p(
                "Anyone may challenge in writing whether any part of this policy or "
                "of the public notice is lawful. They should explain why in detail. "
                "The city soon confirms that it got the challenge, and it asks the "
                "city attorney for advice. It answers as soon as it reasonably can. "
                f"Challenges go to the {profile.legality_contact} "
                f"({profile.legality_email})."
            ),
            _links(("Challenge the policy or the notice online", challenge_form)),
        ),
        # P24
        _section(
            "policy-records",
            "Messages are city records",
            _p(
                "Every message in a city account belongs to the city. That is true "
                "whether it was written, sent or received on a city device or on a "
                "personal one. Each message is government data under a state law, "
                "the Minnesota Government Data Practices Act (Minnesota Statutes, "
                "chapter 13). That law treats such data as public unless another "
                "law says otherwise."
            ),
        ),
        # P25
        _section(
            "policy-retention",
            "How long messages are kept",
            _p(
                "The city does not do official business on social media. So its "
                "records schedule keeps social media messages only until they are "
                "read. After that they are destroyed, and the city keeps a record "
                "that they were destroyed."
            ),
            _p(
                "A declared disaster is different: then social media may carry city "
                "business. So messages on the affected accounts are not destroyed "
                "when read. They are kept as long as the schedule says for business "
                "records."
            ),
        ),
    ]
    return Document(
        kind="policy",
        title=f"City of {city} social media policy",
        sections=_numbered(sections),
    )


BUILDERS = {"notice": build_notice, "policy": build_policy}
