"""The one step every PDF goes through (app/pdf.py) mends what WeasyPrint tags wrongly, checked by the `page`
validator (PDF/UA-1) on a page holding each case: a summary list, a table and a footer."""

from __future__ import annotations

from weasyprint import HTML

from app.pdf import write_pdf
from tests.fixtures.pdfua import assert_pdfua, tagged, ua1_failures

PAGE = """<!doctype html><html lang="en"><head><title>Plan</title><style>
@page { @bottom-left { content: "Open360 – confidential"; } @bottom-right { content: "Page " counter(page); } }
</style></head><body><h1>Plan</h1>
<dl class="nhsuk-summary-list">
  <div class="nhsuk-summary-list__row"><dt>What</dt><dd>Chair the ward meeting</dd></div>
  <div class="nhsuk-summary-list__row"><dt>Target date</dt><dd>30 June 2027</dd></div>
</dl>
<ul><li>One</li><li>Two</li></ul>
<table><thead><tr><th scope="col">Quarter</th><th scope="col">Rounds</th></tr></thead>
<tbody><tr><th scope="row">April to June</th><td>4</td></tr></tbody></table>
</body></html>"""


def test_weasyprint_alone_tags_a_summary_list_wrongly_and_leaves_the_footer_as_content() -> None:
    raw = HTML(string=PAGE).write_pdf(pdf_variant="pdf/ua-1")
    rules = {rule for rule, _ in ua1_failures(raw)}
    assert {"PDFUA1-L-KIDS-001", "PDFUA1-LI-PARENT-001"} <= rules  # what the step below exists to mend
    found = tagged(raw)
    assert found.footer_artifacts == 0 and "none" in found.scopes


def test_every_pdf_step_makes_rows_list_items_scopes_headers_and_the_footer_an_artifact() -> None:
    found = assert_pdfua(write_pdf(PAGE))
    assert ["/LI", "/LI"] in found.lists  # the summary list: one item per row, not per <dt> and <dd>
    assert ["/Lbl", "/LBody"] in found.items  # each row: its key as the label, its value as the body
    assert found.scopes == ["/Column", "/Column", "/Row"]
    assert found.footer_artifacts == 2  # both margin boxes of the one page


def test_a_pdf_without_a_structure_tree_passes_through_unchanged() -> None:
    from app.pdf import tag_for_pdfua

    plain = HTML(string="<p>Hello</p>").write_pdf()
    assert tag_for_pdfua(plain) == plain
