"""The pack's page: A4 geometry, the frame charts are drawn for, colours and paragraph styles."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from dashboard import charts

# ---------------------------------------------------------------- page geometry and type

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TOP_MARGIN = 22 * mm  # room above for the classification marking
BOTTOM_MARGIN = 27 * mm  # room below for the footer
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
# Charts are laid out at this many CSS pixels across the frame: their 13 px text prints at about 9 pt.
EXPORT_WIDTH = 700
PROGRESS_HEIGHT = 600  # px at EXPORT_WIDTH
TIMELINE_INTRO = 30 * mm  # the timeline page's heading and explanation, above its charts

BLUE = colors.HexColor(charts.DARK_BLUE)
TEXT = colors.HexColor(charts.TEXT)
GREY = colors.HexColor(charts.DARK_GREY)
PALE = colors.HexColor("#F3F2F1")
RULE = colors.HexColor(charts.PALE_GREY)
ORANGE = colors.HexColor(charts.ORANGE)

FONT, BOLD = "Helvetica", "Helvetica-Bold"
STYLES = {
    "kicker": ParagraphStyle("kicker", fontName=BOLD, fontSize=10, leading=13, textColor=GREY),
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=24, leading=29, textColor=BLUE, spaceAfter=4),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=15, textColor=GREY, spaceAfter=10),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=15, leading=19, textColor=BLUE, spaceBefore=12, spaceAfter=5),
    "lead": ParagraphStyle("lead", fontName=BOLD, fontSize=12, leading=16, textColor=TEXT, spaceBefore=8, spaceAfter=6),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, textColor=TEXT, spaceAfter=6),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12, textColor=GREY, spaceAfter=4),
    "number": ParagraphStyle("number", fontName=BOLD, fontSize=26, leading=30, textColor=BLUE, alignment=TA_CENTER),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9.5, leading=12, textColor=TEXT, alignment=TA_CENTER),
    "share": ParagraphStyle("share", fontName=FONT, fontSize=9, leading=11, textColor=GREY, alignment=TA_CENTER),
    "th": ParagraphStyle("th", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=colors.white),
    "th_right": ParagraphStyle(
        "th_right", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=colors.white, alignment=TA_RIGHT
    ),
    "td": ParagraphStyle("td", fontName=FONT, fontSize=8.5, leading=10.5, textColor=TEXT),
    "td_right": ParagraphStyle(
        "td_right", fontName=FONT, fontSize=8.5, leading=10.5, textColor=TEXT, alignment=TA_RIGHT
    ),
}
