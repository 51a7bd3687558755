"""Dates read the same way on every page, in a US city's style ("Nov. 27, 2026")."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats

from core.models import Holiday

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "appeals", "core", "moderation", "notices", "retention")
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
DATE_FILTER = re.compile(r"""\|date:\s*(["'])(?P<format>.*?)\1""")

# The formats a template may give the |date filter (config/formats/en/formats.py):
# the named ones, and these spelled out.
HOUSE_FORMATS = {
    "DATE_FORMAT",  # Nov. 27, 2026 (also plain |date)
    "DATETIME_FORMAT",  # Nov. 27, 2026, 3:05 p.m.
    "TIME_FORMAT",  # 3:05 p.m.
    "MONTH_DAY_FORMAT",  # November 27
    "YEAR_MONTH_FORMAT",  # November 2026
    "F j, Y",  # November 27, 2026: letters and emails
    "l, F j, Y",  # Friday, November 27, 2026: a deadline told to a resident
    "D, N j",  # Fri, Nov. 27: a short list of due dates
    "D, N j, Y",  # Fri, Nov. 27, 2026
    "N j, Y, P T",  # Nov. 27, 2026, 3:05 p.m. CST: a record printed for a request
    "N j, Y, g:i:s a",  # Nov. 27, 2026, 3:05:09 p.m.: where the seconds matter
}

# Where machines read a date, it stays ISO 8601: an <input type="date">'s value,
# and a <time> element's datetime attribute. Only the day: "c" would write a
# saved moment's microseconds, which HTML's datetime attribute does not allow.
TIME_ATTRIBUTE = re.compile(r"""<time datetime=(["'])\{\{\s*[\w.]+$""")

NOON_AFTER = datetime.datetime(2026, 11, 27, 15, 5, tzinfo=ZoneInfo("America/Chicago"))


def _off_style(text: str) -> list[str]:
    """Return the |date formats in ``text`` that are not the house style."""
    found = []
    for line in text.splitlines():
        for match in DATE_FILTER.finditer(line):
            fmt = match["format"]
            # An <input type="date"> takes its value in ISO 8601, whatever we like.
            if fmt == "Y-m-d" and 'type="date"' in line:
                continue
            if fmt == "Y-m-d" and TIME_ATTRIBUTE.search(line[: match.start()]):
                continue
            if fmt not in HOUSE_FORMATS:
                found.append(fmt)
    return found


def _templates() -> list[Path]:
    return sorted(
        path
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*")
        if path.suffix in {".html", ".txt"}
    )


def test_dates_and_times_read_in_the_house_style():
    context = Context({"day": NOON_AFTER.date(), "moment": NOON_AFTER})
    rendered = Template(
        "{{ day|date }}|{{ moment }}|{{ day|date:'l, F j, Y' }}|{{ day|date:'D, N j' }}"
    ).render(context)
    assert rendered.split("|") == [
        "Nov. 27, 2026",
        "Nov. 27, 2026, 3:05 p.m.",
        "Friday, November 27, 2026",
        "Fri, Nov. 27",
    ]


def test_the_project_format_module_is_the_one_in_use():
    from config.formats.en import formats as house

    assert house in formats.get_format_modules(lang="en-us")
    for name in ("DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT"):
        assert formats.get_format(name, lang="en-us") == getattr(house, name)


def test_the_off_style_check_finds_iso_and_day_first_dates():
    assert _off_style('{{ a|date:"Y-m-d" }} {{ b|date:"j F Y" }}') == ["Y-m-d", "j F Y"]
    assert _off_style('<input type="date" value="{{ a|date:\'Y-m-d\' }}">') == []
    assert _off_style("{{ a|date }} {{ b|date:'l, F j, Y' }}") == []
    time = """<time datetime="{{ a|date:'Y-m-d' }}">{{ a|date:"l, F j, Y" }}</time>"""
    assert _off_style(time) == []
    assert _off_style("""<time datetime="{{ a|date:'c' }}">{{ a }}</time>""") == ["c"]
    # ISO is for the attribute only, not the words shown.
    assert _off_style(
        """<time datetime="{{ a|date:'Y-m-d' }}">{{ a|date:'Y-m-d' }}</time>"""
    ) == ["Y-m-d"]
    assert _off_style("""<time>{{ a|date:'Y-m-d' }}</time>""") == ["Y-m-d"]


def test_every_template_formats_dates_in_the_house_style():
    templates = _templates()
    # Every app's templates are checked; none is left out any more.
    folders = {path.relative_to(ROOT).parts[0] for path in templates}
    assert folders >= {"templates", *APPS}
    off_style = {}
    for path in templates:
        if found := _off_style(path.read_text()):
            off_style[str(path.relative_to(ROOT))] = found
    assert off_style == {}, "use a format from HOUSE_FORMATS (see its comments)"


@pytest.mark.django_db
def test_a_holiday_is_named_with_a_us_style_date():
    holiday = Holiday.objects.create(
        date=datetime.date(2026, 11, 26), name="Thanksgiving"
    )
    assert str(holiday) == "Thanksgiving (Nov. 26, 2026)"
