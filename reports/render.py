"""The report's HTML and PDF, rendered from its sealed data for one reader (the words differ, the figures never).

A body is rendered in two steps. `fixed_body` is everything but the sections the packages above add
(reports.hooks): it depends only on the sealed figure table and content and on whether the reader is the owner, so
a sealed report has two, rendered once each and kept sealed like the PDFs (reports/build.py). `with_sections` puts
in the sections this reader may see (they may rest on another of the owner's rounds), at each read. The PDFs (one
for the owner, one for anyone else) are rendered once each, by the worker right after the build.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from markupsafe import Markup

from app.words import noun
from reports.charts import alt_text, area_chart, as_data_uri
from reports.content import ReportData
from reports.figures import GAP_THRESHOLD, Words, view
from reports.hooks import ReportSection, RoundReadable, report_sections
from reports.table import Cell


def _no_other_round(_cycle_id: int) -> bool:
    return False


def _every_round(_cycle_id: int) -> bool:
    return True


_HIDDEN_BECAUSE = {"too_few": "too few answers", "differencing": "not shown", "below_half": "too few statements"}


def figure(cell: Cell, own: bool = False) -> Markup:
    """One figure as the report's tables and lists print it: hidden with its reason, no answers, or the value at one
    decimal with its number of answers (not for the owner's own rating). A Jinja macro before: a report of 50 raters
    prints some 300 of them, and the macro's calls were a third of the page. Nothing here needs escaping: a number,
    a count and this module's own words."""
    if cell.hidden:
        return Markup(f'<span class="app-too-few">{_HIDDEN_BECAUSE.get(cell.reason or "", "")}</span>')
    if cell.value is None:
        return _NO_ANSWERS
    value = f"{float(cell.value):.1f}"
    if own:
        return Markup(value)
    answers = int(cell.answers or 0)
    return Markup(f'{value} <span class="app-n">({answers}<span class="nhsuk-u-visually-hidden"> '
                  f'{noun(answers, "answer")}</span>)</span>')


_NO_ANSWERS = Markup('<span aria-hidden="true">–</span><span class="nhsuk-u-visually-hidden">no answers</span>')


def render_body(data: ReportData, content: dict[str, Any], words: Words, *, for_pdf: bool = False,
                may_read_round: RoundReadable = _no_other_round) -> Markup:
    """The report's body. `may_read_round` says whether this reader may read another of the owner's rounds (by its
    id): by default nobody may, so nothing from an earlier report reaches a reader who was not given it."""
    pieces = with_sections(fixed_body(data, content, words, for_pdf=for_pdf).encode(),
                           report_sections(content, words, for_pdf, may_read_round))
    return Markup(b"".join(pieces).decode())


# Where the sections go in a fixed body, and the body in the page: HTML comments, which nothing a template prints
# from a report or a person can contain (every title, comment and name is escaped, so its "<" is "&lt;"). Each is
# printed once. The page is put together as UTF-8: decoding a 130 KB body and encoding it again, with the two
# copies a str.replace makes, cost more than decrypting it.
_LINKS_SLOT = "<!--report-section-links-->"
_SECTIONS_SLOT = "<!--report-sections-->"
_BODY_SLOT = "<!--report-body-->"


def fixed_body(data: ReportData, content: dict[str, Any], words: Words, *, for_pdf: bool = False) -> str:
    """The report's body without the sections of the packages above, with a slot for their links (the page's list
    of contents; not in a PDF) and one for the sections themselves (`with_sections` fills them)."""
    report = view(data.table, data.layout)
    charts = {area.row.key: (as_data_uri(area_chart(area, words)), alt_text(area, words)) for area in report.areas}
    return render_template("reports/report_body.html", report=report, charts=charts, words=words,
                           owner_name=content["owner_name"], closed_on=date.fromisoformat(content["closed_on"]),
                           gap_threshold=float(GAP_THRESHOLD), open_questions=data.open_questions,
                           comments=data.comments, table_groups=data.table.groups, for_pdf=for_pdf,
                           section_links=Markup(_LINKS_SLOT), section_bodies=Markup(_SECTIONS_SLOT), fig=figure)


def with_sections(body: bytes, sections: list[ReportSection]) -> list[bytes]:
    """A fixed body (UTF-8) with these sections in their slots, as pieces to be joined: a link to each in the list
    of contents (a PDF has none), and each after the areas. Their titles are escaped as the template escapes what
    it prints; their HTML is the renderers' Markup."""
    links = "".join(Markup('<li><a href="#{}">{}</a></li>').format(id_, title) for id_, title, _ in sections)
    bodies = "".join(html for _, _, html in sections)
    pieces, rest = [], body
    for slot, html in ((_LINKS_SLOT, links), (_SECTIONS_SLOT, bodies)):
        before, found, after = rest.partition(slot.encode())
        if found:
            pieces += [before, html.encode()]
            rest = after
    return [*pieces, rest]


def body_slot() -> Markup:
    """What a page's template prints where the report's body goes (`around_body` puts it there)."""
    return Markup(_BODY_SLOT)


def around_body(page: str, body: list[bytes]) -> bytes:
    """The page (rendered with `body_slot()` for its body) as UTF-8, with the body's pieces in the slot."""
    before, found, after = page.encode().partition(_BODY_SLOT.encode())
    if not found:
        raise ValueError("the page has no slot for the report's body")
    return b"".join([before, *body, after])


def pdf_filename(owner_name: str, extension: str = "pdf") -> str:
    """The download's name: the owner's name in any script, as one word of letters, digits and hyphens."""
    words = "".join(ch if ch.isalnum() else " " for ch in owner_name.lower()).split()
    return f"feedback-report-{'-'.join(words) or 'owner'}.{extension}"


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, for the page footer's `content:`. CSS inside <style> is not HTML, so HTML
    escaping would print "&amp;" in the footer; instead every character that could end the string or the style
    element is written as a CSS escape."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,-_'" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def render_pdf(data: ReportData, content: dict[str, Any], words: Words,
               owner_reads_round: RoundReadable = _every_round) -> bytes:
    """`owner_reads_round`: whether the owner may read another of their rounds' reports (one held from them for
    their facilitator to release is not), for the owner's PDF; the readers' PDF takes none."""
    from app.pdf import write_pdf  # heavy imports (WeasyPrint, pikepdf): only a PDF's maker pays for them

    owner_name = content["owner_name"]
    # The owner's PDF is theirs alone; the readers' PDF is the same file for the facilitator and every manager it is
    # shared with, so it leaves out what rests on another round.
    body = render_body(data, content, words, for_pdf=True,
                       may_read_round=owner_reads_round if words.is_owner else _no_other_round)
    html = render_template("reports/report_pdf.html", owner_name=owner_name, body=body,
                           footer=css_string(f"Open360 – confidential to {owner_name}"))
    return write_pdf(html)
