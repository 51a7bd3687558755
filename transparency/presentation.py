"""What the public page, the frozen report and the staff view show of the figures:
the charts and the dates, from one figures dict."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from transparency.charts import bar_chart


def figures_context(f: dict[str, Any]) -> dict[str, Any]:
    """The template context for ``transparency/_figures.html``."""
    r = f["removals"]
    mentions = r["category_mentions"]
    charts = {
        "by_category": bar_chart(
            id="chart-category",
            title="Removals by category",
            desc=(
                f"{r['total']:,} removals, counted under each category ticked "
                f"({mentions:,} categories ticked in all). The table beside the "
                "chart gives the same numbers."
            ),
            rows=[(f"{c['number']}. {c['category']}", c) for c in r["by_category"]],
        ),
        "by_month": bar_chart(
            id="chart-month",
            title="Removals by month",
            desc="Removals in each month of the period, as in the table beside it.",
            rows=[(month_label(m["month"]), m) for m in r["by_month"]],
        ),
        "by_account": bar_chart(
            id="chart-account",
            title="Removals by account",
            desc="Removals on each city account, as in the table beside it.",
            rows=[(a["account"], a) for a in r["by_account"]],
        ),
        "appeal_outcomes": bar_chart(
            id="chart-appeal-outcomes",
            title="Appeals by outcome",
            desc="What became of the appeals filed in the period, as in the table "
            "beside it.",
            rows=[(o["label"], o) for o in f["appeals"]["outcomes"]],
        ),
        "destroyed": bar_chart(
            id="chart-destroyed",
            title="Records destroyed by series",
            desc="Items destroyed under the retention schedule in each record "
            "series, as in the table beside it.",
            rows=[(s["label"], s) for s in f["records"]["destroyed_by_series"]],
        ),
    }
    return {
        "f": f,
        "appeal_steps": [
            ("Acknowledge", f["appeals"]["acknowledge"]),
            ("Answer in writing", f["appeals"]["answer"]),
        ],
        "challenge_steps": [
            ("Acknowledge", f["challenges"]["acknowledge"]),
            ("Answer in writing", f["challenges"]["answer"]),
        ],
        "charts": charts,
        "period_start": date.fromisoformat(f["period"]["start"]),
        "period_end": date.fromisoformat(f["period"]["end"]),
        "computed_at": datetime.fromisoformat(f["computed_at"]),
    }


def month_label(month: str) -> str:
    """ "2025-03" -> "March 2025"."""
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")
