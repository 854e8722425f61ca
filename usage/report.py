"""The usage figures as people read them: a page, the same content as a PDF, and a CSV, all from one table of
published cells. Charts are drawn from shown figures only."""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import sqlalchemy as sa
from defusedcsv import csv
from flask import render_template
from matplotlib.figure import Figure

from app.extensions import db
from app.models import Organisation, User
from usage import queries, table
from usage.periods import FinancialYear, Quarter
from usage.table import Published

# Okabe–Ito colours (safe for the common colour-vision deficiencies), each series with its own hatch for greyscale.
PALETTE = ["#0072B2", "#E69F00", "#009E73"]
HATCHES = ["", "//", ".."]
SHOWN_QUARTERS = 8
HIDDEN = "hidden"
CSV_HIDDEN = "[c]"  # the Government Statistical Service's mark for a figure withheld to protect confidentiality


# Column headings for the evaluation questions (facilitator.rules words them in full; the page lists them).
SHORT_QUESTIONS = {"understood": "Made sense of feedback", "listened": "Felt listened to",
                   "goals": "Goals that matter", "next": "Know what next", "overall": "Worth the time"}


@dataclass(frozen=True)
class Row:
    label: str
    period: str
    values: dict[str, int | None]
    rate: int | None  # response rate, whole per cent (rounded half up, the same everywhere it is printed)
    averages: dict[str, str | None]  # each question's mean rating to one decimal, None when not shown


def one_decimal(total: int, count: int) -> str:
    """total / count rounded half up to one decimal, in integers (no float lands on the wrong side of .x5)."""
    tenths = (20 * total + count) // (2 * count)
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class UsageData:
    organisation: str
    upto: Quarter
    quarters: list[Row]
    years: list[Row]
    facilitators: list[tuple[str, list[int | None]]]
    has_hidden: bool

    @property
    def sessions(self) -> list[int | None]:
        """All facilitators' sessions by quarter: the total row of the sessions-per-facilitator table."""
        return [r.values[table.SESSIONS] for r in self.quarters]


def usage_data(org: Organisation, figures: Published, upto: Quarter) -> UsageData:
    periods = {table.parse(k)[2] for k in figures.cells}
    quarters = sorted(q for p in periods if not table.is_year(p) and (q := Quarter.from_key(p)) <= upto)
    quarters = quarters[-SHOWN_QUARTERS:]
    years = sorted(FinancialYear(int(p[2:])) for p in periods if table.is_year(p)
                   and FinancialYear(int(p[2:])).quarters[-1] <= upto)[-2:]

    def row(label: str, period: str) -> Row:
        rate = figures.rate(period)
        count = figures.get(table.MEASURE, table.EVALUATIONS, period)
        averages = {q: None if not count or (total := figures.get(table.EVALUATION_SUM, q, period)) is None
                    else one_decimal(total, count) for q in queries.QUESTIONS}
        return Row(label, period, {m: figures.get(table.MEASURE, m, period) for m in queries.MEASURES},
                   None if rate is None else int(rate * 100 + 0.5), averages)

    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(figures.facilitators()))).all())
    facilitators = [("Former facilitators" if f == table.FORMER else names.get(f, "A former facilitator"),
                     [figures.get(table.FACILITATOR, f, q.key) for q in quarters]) for f in figures.facilitators()]
    shown_periods = {q.key for q in quarters} | {y.key for y in years}
    has_hidden = any(h for k, (_, h) in figures.shown_cells().items() if table.parse(k)[2] in shown_periods)
    return UsageData(org.name, upto, [row(q.label, q.key) for q in quarters],
                     [row(y.label, y.key) for y in years], facilitators, has_hidden)


Series = tuple[str, Callable[[Row], float | int | None], str]  # label, value of a row, why it may be missing


def _missing(row: Row, why: str) -> str:
    """What a bar with no value says: hidden, or a true nothing (no raters, no evaluations)."""
    if why == "rate" and row.values[table.INVITED] == 0:
        return "no raters"
    if why == "average" and row.values[table.EVALUATIONS] == 0:
        return "none"
    return HIDDEN


@dataclass(frozen=True)
class ChartShape:
    """A chart drawn for the width it is shown at, so its text keeps its size: drawn at 96 CSS px to the inch (at
    PIXEL_SCALE times the pixels, for sharp screens), a point of text is 4/3 of a CSS px when the image is shown at
    `width_px`."""

    width_px: int
    height_px: int
    text_pt: float  # the smallest text: values on bars, "hidden" markers, ticks, legend
    stacked_ticks: bool  # a quarter's label on three lines ("Apr–/Jun/25"), where six of them share a phone's width


WIDE = ChartShape(700, 300, 10, stacked_ticks=False)
PHONE = ChartShape(360, 360, 10, stacked_ticks=True)  # a phone's column: 390 px less the page's margins
PHONE_MEDIA = "(max-width: 40.0525em)"  # the NHS.UK frontend's tablet breakpoint: narrower than this, the phone's
CSS_PX_PER_INCH = 96
PIXEL_SCALE = 1.5  # image pixels to a CSS px: sharp enough on a phone's screen, and half the drawing of 2


def text_px(shape: ChartShape, shown_width_px: float) -> float:
    """How tall, in CSS px, the chart's smallest text is when the image is shown `shown_width_px` wide."""
    return shape.text_pt * CSS_PX_PER_INCH / 72 * shown_width_px / shape.width_px


@dataclass(frozen=True)
class Chart:
    wide: str  # data: URIs
    phone: str | None  # None in a PDF, which has no phone


def _chart(data: UsageData, series: list[Series], ylabel: str, top: float | None = None, unit: str = "",
           *, for_phone: bool) -> Chart:
    labels = tuple(Quarter.from_key(r.period).short for r in data.quarters)
    bars = tuple((name, tuple((value_of(r), _missing(r, why)) for r in data.quarters))
                 for name, value_of, why in series)
    return Chart(_drawn(labels, bars, ylabel, top, unit, WIDE),
                 _drawn(labels, bars, ylabel, top, unit, PHONE) if for_phone else None)


# Published figures never change, so the same chart is asked for again and again (each page view): drawing four
# PNGs takes most of a view's time, and the drawing depends only on these arguments.
@functools.lru_cache(maxsize=128)
def _drawn(labels: tuple[str, ...], bars: tuple[tuple[str, tuple[tuple[float | int | None, str], ...]], ...],
           ylabel: str, top: float | None, unit: str, shape: ChartShape) -> str:
    figure, axes = plt.subplots(figsize=(shape.width_px / CSS_PX_PER_INCH, shape.height_px / CSS_PX_PER_INCH),
                                layout="constrained")
    size = shape.text_pt
    width = 0.8 / len(bars)
    for s, (name, values) in enumerate(bars):
        label: str | None = name
        for n, (value, missing) in enumerate(values):
            x = n + (s - (len(bars) - 1) / 2) * width
            if value is None:
                axes.text(x, 0, missing, rotation=90, ha="center", va="bottom", fontsize=size, color="#4c6272")
                continue
            axes.bar(x, value, width * 0.9, color=PALETTE[s], hatch=HATCHES[s], edgecolor="white", label=label)
            label = None  # once per series
            axes.text(x, value, f"{value}{unit}", ha="center", va="bottom", fontsize=size)
    ticks = [label.replace("–", "–\n").replace(" ", "\n") for label in labels] if shape.stacked_ticks else labels
    axes.set_xticks(range(len(labels)), ticks, fontsize=size)
    axes.tick_params(axis="y", labelsize=size)
    axes.set_ylabel(ylabel, fontsize=size)
    if top is not None:
        axes.set_ylim(0, top)
    axes.spines[["top", "right"]].set_visible(False)
    if len(bars) > 1 and axes.get_legend_handles_labels()[0]:
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=1 if shape.stacked_ticks else len(bars),
                    fontsize=size, frameon=False)
    return as_data_uri(figure)


def _count(measure: str) -> Series:
    return queries.MEASURES[measure], lambda r: r.values[measure], "count"


def _average(question: str) -> Series:
    def value(r: Row) -> float | None:
        shown = r.averages[question]
        return None if shown is None else float(shown)  # the printed figure, one decimal: no finer than the table

    return SHORT_QUESTIONS.get(question, question), value, "average"


def as_data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PIXEL_SCALE * CSS_PX_PER_INCH)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def render_body(org: Organisation, figures: Published, upto: Quarter, for_phone: bool = True) -> str:
    data = usage_data(org, figures, upto)
    charts = {}
    if data.quarters:
        charts = {
            "rounds": _chart(data, [_count("rounds_started"), _count("rounds_closed")], "Rounds",
                             for_phone=for_phone),
            "rate": _chart(data, [("Response rate (%)", lambda r: r.rate, "rate")], "Response rate (%)", 110, "%",
                           for_phone=for_phone),
            "sessions": _chart(data, [_count(table.SESSIONS), _count(table.AGREED), _count(table.EVALUATIONS)],
                               "Rounds", for_phone=for_phone),
            "overall": _chart(data, [_average("overall")], "Mean rating (1 to 5)", 5.5, for_phone=for_phone),
        }
    return render_template("usage/report_body.html", data=data, charts=charts, measures=queries.MEASURES,
                           wide=WIDE, phone=PHONE, phone_media=PHONE_MEDIA,
                           questions=queries.QUESTIONS, short_questions=SHORT_QUESTIONS)


def render_pdf(org: Organisation, figures: Published, upto: Quarter) -> bytes:
    from app.pdf import write_pdf  # heavy imports (WeasyPrint, pikepdf): only a PDF's maker pays for them

    html = render_template("usage/report_pdf.html", organisation=org.name, quarter=upto,
                           body=render_body(org, figures, upto, for_phone=False))
    return write_pdf(html)


def render_csv(org: Organisation, figures: Published, upto: Quarter) -> str:
    """defusedcsv writes a cell that a spreadsheet would run as a formula (= + - @ …) as text."""
    data = usage_data(org, figures, upto)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Organisation", "Period", "Figure", "Value"])
    for r in [*data.quarters, *data.years]:
        for measure, label in queries.MEASURES.items():
            value = r.values[measure]
            writer.writerow([data.organisation, r.label, label, CSV_HIDDEN if value is None else value])
        if r.values[table.INVITED] != 0:  # no raters, no rate
            writer.writerow([data.organisation, r.label, "Response rate (%)",
                             CSV_HIDDEN if r.rate is None else r.rate])
        if r.values[table.EVALUATIONS] != 0:  # no evaluations, no averages
            for key, question in queries.QUESTIONS.items():
                average = r.averages[key]
                writer.writerow([data.organisation, r.label, f"Mean rating (1 to 5): {question}",
                                 CSV_HIDDEN if average is None else average])
    for name, values in data.facilitators:
        for r, value in zip(data.quarters, values, strict=True):
            writer.writerow([data.organisation, r.label, f"Sessions: {name}",
                             CSV_HIDDEN if value is None else value])
    writer.writerow([f"{CSV_HIDDEN}: hidden because it rests on fewer than 3 people, or so that "
                     "such a figure cannot be worked out from the others; a mean rating is hidden with its count"])
    return out.getvalue()
