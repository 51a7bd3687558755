"""Domain errors of the accounts app: a refused state change, said in plain words.

Services raise these (never HTTP errors); views, forms and admin actions show the
message to the user as it is.
"""


class AccountsError(Exception):
    """A state change the rules refuse. ``str(error)`` is the message for the user."""


class TransitionRefused(AccountsError):
    """The record is not in a state from which this change is allowed."""


class NotPermitted(AccountsError):
    """The acting person's role does not allow this change."""


class CapReached(AccountsError):
    """P12: approving would go beyond the number of accounts the city can sustain."""
