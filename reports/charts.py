"""One chart per area: a dot plot of all others against self for the area and each sub-area (PRODUCT §4).

Drawn as SVG from the figure table's shown values, which are already at the precision printed (one decimal), so a
dot cannot be read more finely than the table beside it. All others is a filled circle and self an open diamond:
the Okabe–Ito blue and vermilion are told apart by people with the common colour-vision deficiencies, and the
shapes differ too, so the chart also reads in greyscale print. Sized for a 390 px phone: the drawing is about as
wide as a phone's content column, so its 13 px text shows at about 13 px there; on a wide screen it stays small.
"""

from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from reports.figures import AreaView, Row, Words

WIDTH = 340
LEFT, RIGHT = 14, 326  # the 1–5 scale runs between these x positions
ROW_HEIGHT = 58
TOP = 44
OTHERS_COLOUR = "#0072B2"  # Okabe–Ito blue
SELF_COLOUR = "#D55E00"  # Okabe–Ito vermilion
TEXT = "#212b32"
MUTED = "#4c6272"
FONT = "Arial, Helvetica, 'DejaVu Sans', sans-serif"


def _x(value: float) -> float:
    return LEFT + (value - 1) / 4 * (RIGHT - LEFT)


def _text(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", colour: str = TEXT,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _row(row: Row, y: float, is_area: bool) -> list[str]:
    parts = [_text(LEFT, y, row.title, weight="bold" if is_area else "normal")]
    line_y = y + 22
    parts.append(f'<line x1="{LEFT}" y1="{line_y}" x2="{RIGHT}" y2="{line_y}" stroke="#aeb7bd" stroke-width="1"/>')
    parts += [f'<line x1="{_x(v):.1f}" y1="{line_y - 4}" x2="{_x(v):.1f}" y2="{line_y + 4}" stroke="#aeb7bd"/>'
              for v in (1, 2, 3, 4, 5)]
    others, own = row.all_others, row.self_cell
    if others.is_shown and own.is_shown and others.value is not None and own.value is not None:
        a, b = sorted((_x(others.value), _x(own.value)))
        parts.append(f'<line x1="{a:.1f}" y1="{line_y}" x2="{b:.1f}" y2="{line_y}" stroke="{TEXT}" '
                     f'stroke-width="2"/>')
    if others.value is not None:
        x = _x(others.value)
        parts.append(f'<circle cx="{x:.1f}" cy="{line_y}" r="7" fill="{OTHERS_COLOUR}"/>')
        parts.append(_text(x, line_y + 22, f"{others.value:.1f}", size=12, anchor="middle", colour=OTHERS_COLOUR,
                           weight="bold"))
    else:
        parts.append(_text(RIGHT, y, "all others: too few answers" if others.hidden else "all others: no answers",
                           size=11, anchor="end", colour=MUTED))
    if own.value is not None:
        x = _x(own.value)
        parts.append(f'<path d="M{x:.1f} {line_y - 8}l8 8-8 8-8-8z" fill="#ffffff" stroke="{SELF_COLOUR}" '
                     f'stroke-width="3"/>')
        parts.append(_text(x, line_y - 12, f"{own.value:.1f}", size=12, anchor="middle", colour=SELF_COLOUR,
                           weight="bold"))
    return parts


def area_chart(area: AreaView, words: Words) -> str:
    """The chart as an SVG document."""
    rows = [(area.row, True), *((sub.row, False) for sub in area.sub_areas)]
    height = TOP + ROW_HEIGHT * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" font-family="{FONT}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<circle cx="{LEFT + 7}" cy="16" r="7" fill="{OTHERS_COLOUR}"/>',
        _text(LEFT + 20, 21, "All others"),
        f'<path d="M{LEFT + 122} 8l8 8-8 8-8-8z" fill="#ffffff" stroke="{SELF_COLOUR}" stroke-width="3"/>',
        _text(LEFT + 136, 21, f"{words.self_label} (own rating)"),
    ]
    for index, (row, is_area) in enumerate(rows):
        parts += _row(row, TOP + 14 + index * ROW_HEIGHT, is_area)
    scale_y = TOP + ROW_HEIGHT * len(rows) + 16
    parts += [_text(_x(v), scale_y, str(v), size=12, anchor="middle", colour=MUTED) for v in (1, 2, 3, 4, 5)]
    parts.append(_text(LEFT, scale_y + 16, "1 strongly disagree", size=11, colour=MUTED))
    parts.append(_text(RIGHT, scale_y + 16, "5 strongly agree", size=11, anchor="end", colour=MUTED))
    parts.append("</svg>")
    return "".join(parts)


def alt_text(area: AreaView, words: Words) -> str:
    """What the chart shows, in words: the figures are in the table that follows too."""
    def said(row: Row) -> str:
        others = row.all_others
        o = f"all others {others.value:.1f}" if others.value is not None else "all others: too few answers" \
            if others.hidden else "all others: no answers"
        s = f"{words.self_label.lower() if words.is_owner else 'self'} {row.self_cell.value:.1f}" \
            if row.self_cell.value is not None else "no own rating"
        return f"{row.title}: {o}, {s}"

    rows = [area.row, *(sub.row for sub in area.sub_areas)]
    return (f"Dot plot of average ratings for {area.row.title} on a scale of 1 to 5, all others against "
            f"{'your' if words.is_owner else 'the'} own rating. " + "; ".join(said(r) for r in rows) + ".")


def as_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
