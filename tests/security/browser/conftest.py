"""Browser tests use Debian's Chromium as the notices' browser tests do."""

from tests.notices.browser.conftest import (  # noqa: F401 (fixtures)
    _browser_with_database,
    browser_context_args,
    browser_type_launch_args,
    staff_cookie,
)
