"""Domain errors of the notices app, said in plain words for the user."""


class NoticesError(Exception):
    """A change the rules refuse. ``str(error)`` is the message for the user."""


class ProfileMissing(NoticesError):
    """The city profile has not been filled in, so no text can be generated."""


class NotPermitted(NoticesError):
    """Only the City Administrator may prepare, discard or publish versions."""


class VersionNotDraft(NoticesError):
    """The version is no longer a draft (it was published or discarded)."""


class DraftChanged(NoticesError):
    """The draft, or the text it was generated from, changed after the review."""
