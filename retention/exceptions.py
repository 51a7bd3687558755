"""Domain errors of the retention app: raised by services, shown to staff as is."""


class RetentionError(Exception):
    """A retention action that cannot be done; the message says why."""


class MessageStateError(RetentionError):
    """The message is not in a state that allows this action."""


class NotAllowed(RetentionError):
    """The user may not act on this record."""


class InvalidScope(RetentionError):
    """A legal hold or disaster period was given an impossible scope."""
