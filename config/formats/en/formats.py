"""How dates and times read on every page: the style of a US city's letters.

Django formats dates through the active language's format module, not through
``settings.DATE_FORMAT`` (ignored while localization is on, as it always is since
Django 5.0). This module, found through ``FORMAT_MODULE_PATH``, states the house
style in one place, so that it does not hang on Django's defaults for English.

In templates (``tests/core/test_dates.py`` keeps every template to this list):

- ``{{ day|date }}``: Nov. 27, 2026
- ``{{ moment }}`` or ``|date:"DATETIME_FORMAT"``: Nov. 27, 2026, 3:05 p.m.
- ``|date:"F j, Y"``: November 27, 2026 (letters, emails)
- ``|date:"l, F j, Y"``: Friday, November 27, 2026 (a deadline told to a resident)
- ``|date:"D, N j"`` or ``"D, N j, Y"``: Fri, Nov. 27 (short lists of due dates)
- ``|date:"N j, Y, P T"``: Nov. 27, 2026, 3:05 p.m. CST (a record printed for a
  data request)
- ``|date:"N j, Y, g:i:s a"``: Nov. 27, 2026, 3:05:09 p.m. (where seconds matter)

Machine-readable places keep ISO 8601: CSV exports, the value of an
``<input type="date">``, file names.
"""

# https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, P"
TIME_FORMAT = "P"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y P"
FIRST_DAY_OF_WEEK = 0  # Sunday, as US calendars print it
