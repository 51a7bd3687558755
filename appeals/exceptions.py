"""Domain errors raised by ``appeals.services``; views turn them into messages."""


class AppealsError(Exception):
    """Base class: the message is safe to show to staff."""


class InvalidTransition(AppealsError):
    """The filing's current status does not allow this step."""


class ReviewerConflict(AppealsError):
    """The reviewer made the removal under appeal (P22: an independent review)."""


class NotPermitted(AppealsError):
    """This staff member may not take this step on this filing."""


class MissingInformation(AppealsError):
    """A step needs information that has not been given yet."""
