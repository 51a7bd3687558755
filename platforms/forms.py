"""Forms of the platforms pages. They parse input; the services decide."""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from moderation.forms import CategoryChoiceField, RemovalForm
from moderation.models import RemovalCategory
from platforms.models import CapturedComment, Connection

# What a manager adds to a captured hide or removal, drawn as on the removal form.
DRAFT_FIELDS = (
    "categories",
    "link_to_material",
    "reasoning",
    "facts",
    "notified_via",
    "notification_text",
)


class DraftCompleteForm(forms.Form):
    """What a manager adds to a captured hide or removal to make it a removal
    decision (P21): the categories, the reasoning, and the facts relied on when
    the text does not say them. What the platform reported (text, author, times,
    link) is not retyped (P20). Each field is the removal form's own."""

    conditional = ("link_to_material", "notification_text")

    def __init__(self, *args: Any, comment: CapturedComment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in DRAFT_FIELDS:
            self.fields[name] = copy.deepcopy(RemovalForm.base_fields[name])
        for name in ("facts", "notified_via", "notification_text"):
            self.fields[name].required = False
        self.fields["categories"] = CategoryChoiceField(
            queryset=RemovalCategory.objects.order_by("number"),
            widget=forms.CheckboxSelectMultiple,
            label=self.fields["categories"].label,
            error_messages={
                "required": "Tick at least one category: the policy allows a removal "
                "only for one of the eight reasons (P21)."
            },
        )
        # Only what the platform did not send is asked for.
        if not comment.text:
            self.fields["comment_text"] = forms.CharField(
                label="Text of the comment, exactly as posted",
                help_text="The platform did not send it: paste it from the platform.",
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": "Paste the text of the comment."},
            )
        if not (comment.author_name or comment.author_handle):
            self.fields["author_name"] = forms.CharField(
                label="Author's display name",
                max_length=200,
                error_messages={"required": "Enter the author's name."},
            )


class DraftDismissForm(forms.Form):
    reason = forms.CharField(
        label="Why this is not a removal",
        help_text="For example: the author deleted the comment themselves.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this is not a removal."},
    )


class MastodonConnectionForm(forms.Form):
    server_url = forms.CharField(
        label="Server",
        max_length=300,
        help_text="The Mastodon server's address, e.g. https://mastodon.example.",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    token_name = forms.CharField(
        label="Token variable",
        max_length=100,
        help_text=Connection._meta.get_field("token_name").help_text,
    )
