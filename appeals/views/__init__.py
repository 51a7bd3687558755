"""Views of the appeals app: the public forms and status page (``public``) and the
staff pages (``staff``)."""

from appeals.views.letters import letter_print, mail_queue
from appeals.views.public import appeal_new, challenge_new, filed, status
from appeals.views.staff import staff_filing, staff_letter, staff_list, staff_new

__all__ = [
    "appeal_new",
    "challenge_new",
    "filed",
    "letter_print",
    "mail_queue",
    "staff_filing",
    "staff_letter",
    "staff_list",
    "staff_new",
    "status",
]
