"""The removal log in the admin: read-only lists, filters, search and CSV export.

Decisions are logged on the staff form (``moderation:removal-new``) and never
changed here (P20 spirit): no add, change or delete; opening one shows its
printable record page, where amendments are appended through the services.

The modules: ``decisions`` (the removal list and its export view), ``filters``
(its list filters), ``export`` (the CSV rows) and ``categories`` (the eight
categories). Importing this package registers both admins. A query string the
database would refuse (a null character) never gets here: it is answered 400 for
the whole site by ``core.middleware.MalformedRequestMiddleware``.
"""

from moderation.admin.categories import RemovalCategoryAdmin
from moderation.admin.decisions import SEARCH_ID_LIST_MAX, RemovalDecisionAdmin
from moderation.admin.export import EXPORT_CHUNK, EXPORT_COLUMNS, export_rows
from moderation.admin.filters import (
    AccountFilter,
    AuthorToldFilter,
    CategoryFilter,
    RemovedDateFilter,
    RemoverFilter,
    RestoredFilter,
)

__all__ = [
    "EXPORT_CHUNK",
    "EXPORT_COLUMNS",
    "SEARCH_ID_LIST_MAX",
    "AccountFilter",
    "AuthorToldFilter",
    "CategoryFilter",
    "RemovalCategoryAdmin",
    "RemovalDecisionAdmin",
    "RemovedDateFilter",
    "RemoverFilter",
    "RestoredFilter",
    "export_rows",
]
