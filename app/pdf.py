"""Every PDF the product makes (report, development plan, quarterly usage report) goes through `write_pdf`: WeasyPrint
lays the HTML out as PDF/UA-1, then one pass mends the three things WeasyPrint 70 tags wrongly (PRODUCT §8; each is
checked by the `page` validator, profile ua1, in the tests of every PDF):

- a TH has no /Scope (ISO 14289-1 7.5). A TH in a row of THead heads its column; a TH anywhere else is the first
  cell of a body row and heads its row, which is how every table of ours is laid out.
- a summary list (<dl> whose rows are <div>s, the design system's markup) comes out as L → Div → LI, which 7.6
  forbids. Each row becomes one list item whose label is the key (<dt>) and whose body is the value (<dd>), so a
  screen reader reads "Target date: 30 June" as one item rather than two.
- the page footer (CSS margin boxes) is drawn as tagged content whose tags hang outside the structure tree, so a
  reader meets "Page 1 of 6" as text (7.8). Its marked content becomes a pagination artifact.
"""

from __future__ import annotations

import io
from typing import Any

import pikepdf

FOOTER = pikepdf.Dictionary(Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name.Footer)


def write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, as is this module: callers import it inside the function

    return tag_for_pdfua(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def tag_for_pdfua(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        in_tree: set[tuple[int, int]] = set()
        _mend(root, in_head=False, in_tree=in_tree)
        _footers_as_artifacts(document, root, in_tree)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def _elements(element: Any) -> list[pikepdf.Dictionary]:
    """The structure elements among `element`'s kids (not its marked-content ids or object references)."""
    kids = element.get("/K")
    if kids is None:
        return []
    return [kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR") and "/S" in kid]


def _mend(element: Any, *, in_head: bool, in_tree: set[tuple[int, int]]) -> None:
    for kid in _elements(element):
        in_tree.add(kid.objgen)
        tag = str(kid.S)
        if tag == "/TH":
            kid.A = pikepdf.Dictionary(O=pikepdf.Name.Table,
                                       Scope=pikepdf.Name.Column if in_head else pikepdf.Name.Row)
        elif tag == "/Div" and str(element.S) == "/L":
            _row_as_list_item(kid)
        _mend(kid, in_head=in_head or tag == "/THead", in_tree=in_tree)


def _row_as_list_item(row: pikepdf.Dictionary) -> None:
    """A summary list's row (Div holding one LI per <dt> and <dd>, each LI holding an LBody) becomes an LI holding
    a Lbl (the key) and an LBody (the value). The inner LBodies become NonStruct, so their content belongs to the
    new Lbl or LBody and nothing in the content streams has to move."""
    cells = _elements(row)
    if not cells or any(str(cell.S) != "/LI" for cell in cells):
        return
    row.S = pikepdf.Name.LI
    for i, cell in enumerate(cells):
        cell.S = pikepdf.Name.Lbl if i == 0 and len(cells) > 1 else pikepdf.Name.LBody
        for inner in _elements(cell):
            if str(inner.S) == "/LBody":
                inner.S = pikepdf.Name.NonStruct


def _footers_as_artifacts(document: pikepdf.Pdf, root: pikepdf.Dictionary, in_tree: set[tuple[int, int]]) -> None:
    """Marked content whose structure element is not in the tree (WeasyPrint's margin boxes: our footers) becomes
    /Artifact <</Type /Pagination /Subtype /Footer>>, and leaves the page's entry in the parent tree."""
    parents = _parent_tree(root)
    for page in document.pages:
        owners = parents.get(int(page.obj.get("/StructParents", -1)))
        if owners is None:
            continue
        orphans = {mcid for mcid, owner in enumerate(owners)
                   if isinstance(owner, pikepdf.Dictionary) and owner.objgen not in in_tree}
        if not orphans:
            continue
        instructions = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if (str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                    and int(operands[1].get("/MCID", -1)) in orphans):
                operands = [pikepdf.Name.Artifact, FOOTER]
            instructions.append((operands, operator))
        page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(instructions))
        for mcid in orphans:
            owners[mcid] = None


def _parent_tree(root: pikepdf.Dictionary) -> dict[int, pikepdf.Array]:
    """The parent tree's arrays by key (WeasyPrint writes one flat /Nums: key, array, key, array …)."""
    nums = root.get("/ParentTree", pikepdf.Dictionary()).get("/Nums", pikepdf.Array())
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2) if isinstance(nums[i + 1], pikepdf.Array)}
