"""A tagged PDF that screen readers can follow: each paragraph, list, table and chart marked and tied to a structure
tree, the page furniture marked as artifacts; and the canvas that numbers pages "n of N"."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, ListFlowable, Paragraph, Table

# ---------------------------------------------------------------- tagging: a PDF that screen readers can follow

LANGUAGE = "en-GB"
HEADING_ROLES = {"title": "H1", "h2": "H2"}  # a paragraph's structure role by its style; any other is a P


@dataclass
class _Element:
    """A structure element: a leaf holds one marked-content sequence (page and id); a group (a table, a row) holds
    its kids."""

    role: str  # P, H1, H2, L, Figure, Table, TR, TH, TD
    page: int  # 0-based: where its content is, or a group's first
    mcid: int | None = None
    alt: str | None = None
    kids: list[_Element] = field(default_factory=list)


class Tagged(Flowable):
    """A flowable drawn as one marked-content sequence, recorded as a structure element of the document (a heading,
    paragraph, list or figure with its text alternative). A part split over pages is tagged on each."""

    def __init__(self, role: str, inner: Flowable, alt: str | None = None) -> None:
        super().__init__()
        self.role, self.inner, self.alt = role, inner, alt

    def wrapOn(self, canv: Canvas, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrapOn(canv, available_width, available_height)
        return self.width, self.height

    # A frame sets `canv` on the flowable it lays out and calls wrap and split: the inner flowable needs it too.
    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.wrapOn(self.canv, available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return self.splitOn(self.canv, available_width, available_height)

    def splitOn(self, canv: Canvas, available_width: float, available_height: float) -> list[Flowable]:
        return [
            Tagged(self.role, part, self.alt) for part in self.inner.splitOn(canv, available_width, available_height)
        ]

    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        tagging = hasattr(canvas, "begin_marked")
        if tagging:
            canvas.begin_marked(self.role, self.alt)
        self.inner.drawOn(canvas, x, y, _sW)
        if tagging:
            canvas.end_marked()


def _tag_table(table: Table, event: str, *args: object) -> None:
    """reportlab's table-drawing callback: a table of rows of header (TH) and data (TD) cells, so a screen reader can
    move along rows and columns; its backgrounds and rules are artifacts. Split parts keep the callback."""
    canvas = table.canv
    if not hasattr(canvas, "begin_marked"):
        return
    if event in ("startTable", "startRow"):
        canvas.begin_group("Table" if event == "startTable" else "TR")
    elif event in ("endTable", "endRow"):
        canvas.end_group()
    elif event in ("startBG", "startLines"):
        canvas.begin_artifact()
    elif event in ("endBG", "endLines", "endCell"):
        canvas.end_marked()
    elif event == "startCell":
        canvas.begin_marked("TH" if args[0] < table.repeatRows else "TD", None)


def tag_story(story: list[Flowable]) -> list[Flowable]:
    """The story with each paragraph, table, list and chart tagged by its role; spacers and breaks as they are."""
    tagged: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, KeepTogether):
            tagged.append(KeepTogether(tag_story(flowable._content)))
        elif isinstance(flowable, Paragraph):
            tagged.append(Tagged(HEADING_ROLES.get(flowable.style.name, "P"), flowable))
        elif isinstance(flowable, Image):
            tagged.append(Tagged("Figure", flowable, getattr(flowable, "alt", None)))
        elif isinstance(flowable, Table):
            flowable._renderCB = _tag_table  # reportlab's hook: tagged cell by cell as it is drawn
            tagged.append(flowable)
        elif isinstance(flowable, ListFlowable):
            tagged.append(Tagged("L", flowable))
        else:
            tagged.append(flowable)
    return tagged


class TaggedCanvas(Canvas):
    """A canvas that holds its pages until the end, so each can say "Page n of N" (its `furniture`), and that writes
    a tagged PDF: content marked and tied to a structure tree, the page furniture marked as artifacts a screen reader
    skips."""

    def furniture(self, number: int, total: int) -> None:
        """Draws the page furniture on page `number` of `total`: none here."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._elements: list[_Element] = []  # the document's, in reading order
        self._open: list[_Element] = []  # the groups being drawn, innermost last
        self._page_mcids = 0
        self._page_names: list[str] = []

    def _add(self, element: _Element) -> _Element:
        (self._open[-1].kids if self._open else self._elements).append(element)
        return element

    def begin_marked(self, role: str, alt: str | None) -> None:
        self._add(_Element(role, len(self._pages), self._page_mcids, alt))
        self._code.append(f"/{role} <</MCID {self._page_mcids}>> BDC")
        self._page_mcids += 1

    def end_marked(self) -> None:
        self._code.append("EMC")

    def begin_group(self, role: str) -> None:
        self._open.append(self._add(_Element(role, len(self._pages))))

    def end_group(self) -> None:
        self._open.pop()

    def begin_artifact(self) -> None:
        self._code.append("/Artifact BMC")

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()
        self._page_mcids = 0

    def save(self) -> None:
        add_page = self._doc.addPage

        def add_tagged_page(page) -> None:  # each page points into the structure tree's parent tree
            page.StructParents, page.Tabs = len(self._page_names), PDFName("S")
            page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
            self._page_names.append(self._doc.thisPageName())
            add_page(page)

        self._doc.addPage = add_tagged_page
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._code.append("/Artifact <</Type /Pagination>> BDC")
            self.furniture(number, len(self._pages))
            self._code.append("EMC")
            super().showPage()
        self._structure_tree()
        super().save()

    def _structure_tree(self) -> None:
        doc = self._doc
        root, document = PDFObjectReference("StructRoot"), PDFObjectReference("StructDoc")
        leaves: dict[int, dict[int, PDFObjectReference]] = {}  # page -> MCID -> its element
        numbered = itertools.count()

        def write(element: _Element, parent: PDFObjectReference) -> PDFObjectReference:
            reference = PDFObjectReference(f"StructElem{next(numbered)}")
            fields = {
                "Type": PDFName("StructElem"),
                "S": PDFName(element.role),
                "P": parent,
                "Pg": PDFObjectReference(self._page_names[element.page]),
            }
            if element.mcid is None:
                fields["K"] = PDFArray([write(kid, reference) for kid in element.kids])
            else:
                fields["K"] = element.mcid
                leaves.setdefault(element.page, {})[element.mcid] = reference
            if element.alt:
                fields["Alt"] = PDFString(element.alt)
            doc.Reference(PDFDictionary(fields), reference.name)
            return reference

        kids = [write(element, document) for element in self._elements]
        doc.Reference(
            PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName("Document"), "P": root, "K": PDFArray(kids)}),
            document.name,
        )
        numbers: list = []
        for page in range(len(self._page_names)):
            on_page = leaves.get(page, {})
            numbers += [page, PDFArray([on_page[mcid] for mcid in sorted(on_page)])]
        doc.Reference(PDFDictionary({"Nums": PDFArray(numbers)}), "StructPT")
        doc.Reference(
            PDFDictionary(
                {
                    "Type": PDFName("StructTreeRoot"),
                    "K": document,
                    "ParentTree": PDFObjectReference("StructPT"),
                    "ParentTreeNextKey": len(self._page_names),
                }
            ),
            root.name,
        )
        doc.Catalog.StructTreeRoot = root
        doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        self.setViewerPreference("DisplayDocTitle", "true")  # a reader's title bar shows the title, not the file


def _numbered_canvas(draw: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """The tagged canvas, with `draw` drawing the furniture on every page."""

    class NumberedCanvas(TaggedCanvas):
        def furniture(self, number: int, total: int) -> None:
            draw(self, number, total)

    return NumberedCanvas
