"""Server-rendered SVG bar charts for the transparency page.

A horizontal bar chart with a text label above each bar and the number after it,
drawn by ``transparency/_bar_chart.html`` from the geometry computed here: no
JavaScript, no inline ``style`` (the Content Security Policy allows none), one
colour (the site's brand blue, 8.6:1 on white) that carries no meaning the words do
not. Each chart has a ``<title>`` and a ``<desc>`` and the page puts the same
numbers in a table beside it.

Why not a charting library: pygal, the best-kept pure-Python SVG charting
library, embeds its own ``<style>`` and loads its tooltip JavaScript from a CDN by
default, which the site's Content Security Policy refuses, and labels bars with
legends rather than text beside each bar. Forty lines of geometry are simpler to
keep accessible (docs/transparency.md).
"""

from __future__ import annotations

import textwrap
from typing import Any

from transparency.figures import shown

WIDTH = 400  # viewBox units; the SVG scales to the column's width
BAR_MAX = 300  # the longest bar, leaving room for its number
FONT = 14
LINE = 17
BAR = 16
GAP = 12
WRAP = 46  # characters per label line


def bar_chart(
    *, id: str, title: str, desc: str, rows: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Return the chart's geometry: ``rows`` are (label, cell) where a cell is a
    :func:`transparency.figures.cell` (a "fewer than 3" cell gets no bar: its
    length would give the number away)."""
    top = max((c["count"] or 0 for _, c in rows), default=0)
    bars, y = [], GAP
    for label, c in rows:
        lines = textwrap.wrap(label, WRAP) or [""]
        label_y = y + FONT
        bar_y = y + LINE * len(lines) + 4
        width = round(BAR_MAX * c["count"] / top) if top and c["count"] else 0
        bars.append(
            {
                "lines": [(label_y + i * LINE, text) for i, text in enumerate(lines)],
                "bar_y": bar_y,
                "width": width,
                "value": shown(c),
                "value_x": width + (6 if width else 0),
                "value_y": bar_y + BAR - 3,
            }
        )
        y = bar_y + BAR + GAP
    return {
        "id": id,
        "title": title,
        "desc": desc,
        "bars": bars,
        "width": WIDTH,
        "height": y,
        "bar_height": BAR,
    }
