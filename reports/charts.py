"""Charts for the report, drawn with matplotlib (Agg): one per area, sub-area scores per shown group.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies) and every series also has its
own hatch, so the chart still reads in greyscale print. Each chart sits next to a table with the same numbers.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from reports.figures import AreaResult

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo"]
SELF_COLOUR = "#212b32"


def _series(area: AreaResult, group_labels: list[str]) -> list[tuple[str, list[float | None]]]:
    rows = [sub.row for sub in area.sub_areas]
    series = [(label, [r.by_group[label].value if label in r.by_group else None for r in rows])
              for label in group_labels]
    series.append(("All others", [r.all_others.value for r in rows]))
    series.append(("Self", [r.self_score for r in rows]))
    return series


def area_chart(area: AreaResult, group_labels: list[str]) -> Figure:
    rows = [sub.row for sub in area.sub_areas]
    series = _series(area, group_labels)
    figure, axes = plt.subplots(figsize=(7.0, 0.9 + 0.32 * len(series) * len(rows)), layout="constrained")
    bar = 0.8 / len(series)
    for s, (label, values) in enumerate(series):
        colour = SELF_COLOUR if label == "Self" else PALETTE[s % len(PALETTE)]
        for r, value in enumerate(values):
            y = r + s * bar
            if value is None:
                axes.text(1.05, y, "too few answers" if label != "Self" else "not answered",
                          va="center", fontsize=7, color="#4c6272")
                continue
            axes.barh(y, value - 1, left=1, height=bar * 0.9, color=colour, hatch=HATCHES[s % len(HATCHES)],
                      edgecolor="white" if label != "Self" else SELF_COLOUR, linewidth=0.5,
                      label=label if r == 0 or all(v is None for v in values[:r]) else None)
            axes.text(value + 0.04, y, f"{value:.1f}", va="center", fontsize=7, color="#212b32")
    axes.set_yticks([r + bar * (len(series) - 1) / 2 for r in range(len(rows))], [row.title for row in rows])
    axes.invert_yaxis()
    axes.set_xlim(1, 5.4)
    axes.set_xticks([1, 2, 3, 4, 5])
    axes.set_xlabel("Average rating (1 strongly disagree – 5 strongly agree)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(4, len(series)), fontsize=7,
                frameon=False)
    return figure


def as_data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
