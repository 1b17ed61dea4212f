"""The app's own styles, put on every page once a run by the shell: a clean A4 landscape print of any page (no
sidebar, toolbar or controls; charts and tables sized to the paper, and a note wherever a table prints only part of
its rows), metric tiles that never break a word, and phone layouts (tiles two to a row, wide charts scrolled sideways
rather than squeezed). They rest on Streamlit's markup (its data-testid names): tests/test_browser.py prints every
programme page to PDF and opens it at a phone's width."""

from __future__ import annotations

import streamlit as st

# A4 landscape less the 10 mm margins below is 277 mm, about 1047 CSS pixels; the page's content is kept a little
# narrower, and anything drawn wider than this on screen (a chart or table on a wide monitor) is shrunk to it.
PRINT_WIDTH_PX = 1000
# Its height less the margins is 190 mm, about 718 CSS pixels. A chart a little taller is shrunk onto one page; one
# much taller (a long Gantt) would be unreadable shrunk, and runs on over pages instead.
PRINT_HEIGHT_PX = 700
MOST_SHRUNK = 0.7
# A chart in a container with this key keeps at least this width on a phone, and scrolls sideways.
SCROLL_KEY = "wide-on-phone"
# A container keyed with this prefix shows on screen only (a notice about the app, not about the programme).
SCREEN_ONLY_KEY = "screen-only"
PHONE_MIN_WIDTH_PX = 720
_SCRIPT_KEY = "print-fitting"  # the container of the script below, hidden: no room taken

_STYLE = f"""<style>
/* Metric tiles: words stay whole (a narrow tile wrapped "Registered" as "Registe red"); the value shrinks with the
   window instead. Tiles wrap onto another row rather than squeeze below a readable width. */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {{
  word-break: normal !important; overflow-wrap: normal !important; hyphens: manual;
}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{
  font-size: clamp(1.5rem, 2.4vw, 2.25rem) !important; white-space: nowrap;
  word-break: normal !important; overflow-wrap: normal !important;
}}
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
  flex-wrap: wrap !important;
}}
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) > [data-testid="stColumn"] {{
  flex: 1 1 9.5rem !important; min-width: 9.5rem !important; width: auto !important;
}}
@media (max-width: 640px) {{
  .st-key-{SCROLL_KEY} [data-testid="stElementContainer"]:has(> [data-testid="stPlotlyChart"]) {{ overflow-x: auto; }}
  /* Streamlit draws a chart as wide as the frame around it */
  .st-key-{SCROLL_KEY} :has(> [data-testid="stPlotlyChart"]) {{ min-width: {PHONE_MIN_WIDTH_PX}px; }}
}}
.st-key-{_SCRIPT_KEY}, :has(> .st-key-{_SCRIPT_KEY}) {{ display: none; }}

@page {{ size: A4 landscape; margin: 10mm; }}
@media print {{
  /* Paper has no use for the app's frame or its controls. */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stPageLink"], [data-testid="stButton"],
  [data-testid="stFormSubmitButton"], [data-testid="stElementToolbar"], [data-testid="stTooltipIcon"],
  [class*="st-key-{SCREEN_ONLY_KEY}"] {{
    display: none !important;
  }}
  /* A closed expander holds nothing on paper; an open one prints open. */
  [data-testid="stExpander"]:has(details:not([open])) {{ display: none !important; }}
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
    height: auto !important; overflow: visible !important; position: static !important;
  }}
  /* Columns side by side as on screen (Streamlit stacks them on paper), in a smaller type that leaves a chart room
     beside the page's heading. */
  [data-testid="stHorizontalBlock"] {{ display: flex !important; flex-wrap: nowrap !important; }}
  [data-testid="stColumn"] {{ width: auto !important; }}
  html {{ font-size: 13px !important; }}
  [data-testid="stMainBlockContainer"] {{
    max-width: {PRINT_WIDTH_PX}px !important; padding: 0 !important; margin: 0 !important;
  }}
  [data-testid="stPlotlyChart"] {{ height: auto !important; }}  /* a chart shrunk to fit takes only the room it needs */
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stAlert"] {{
    break-inside: avoid;
  }}
  h1, h2, h3 {{ break-after: avoid; }}
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{ font-size: 1.75rem !important; }}
  .st-key-{SCROLL_KEY} [data-testid="stElementContainer"] {{ overflow: visible !important; }}
  .st-key-{SCROLL_KEY} :has(> [data-testid="stPlotlyChart"]) {{ min-width: 0 !important; }}
  [data-print-part]::after {{
    content: attr(data-print-part); display: block; font-size: 0.8rem; font-style: italic; padding-top: 0.25rem;
  }}
}}
</style>"""

# Plotly and Streamlit's tables draw at the size they had on screen, and a real print does not redraw them: before
# printing, anything wider than the paper, or a little taller, is shrunk to fit (CSS zoom), and a table showing only
# some of its rows says so. Undone after printing.
_SCRIPT = f"""<script>
if (!window.printFitting) {{
  window.printFitting = true;
  // What each chart and table draws: zooming the element itself would make Streamlit measure it anew, and redraw it
  // wider.
  const drawn = () => document.querySelectorAll('[data-testid="stPlotlyChart"] > *, [data-testid="stDataFrame"] > *');
  window.addEventListener("beforeprint", () => {{
    for (const element of drawn()) {{
      element.style.zoom = "";
      const across = {PRINT_WIDTH_PX} / element.scrollWidth, down = {PRINT_HEIGHT_PX} / element.scrollHeight;
      const zoom = Math.min(1, across, down >= {MOST_SHRUNK} ? down : 1);
      if (zoom < 1) element.style.zoom = zoom;
    }}
    // A table scrolls inside its box: say when it prints only part of itself.
    for (const table of document.querySelectorAll('[data-testid="stDataFrame"]')) {{
      const box = table.querySelector(".dvn-scroller"), holder = table.parentElement;
      const rows = box && box.scrollHeight > box.clientHeight + 2;
      const columns = box && box.scrollWidth > box.clientWidth + 2;
      const part = rows && columns ? "rows and columns" : rows ? "rows" : columns ? "columns" : "";
      const note = `Printed: only the ${{part}} in view. The whole table is in the dashboard.`;
      if (part) holder.setAttribute("data-print-part", note);
      else holder.removeAttribute("data-print-part");
    }}
  }});
  window.addEventListener("afterprint", () => {{
    for (const element of drawn()) element.style.zoom = "";
  }});
  // A chart that scrolls sideways on a phone must be reachable from the keyboard (its box takes focus, and the arrow
  // keys scroll it): Streamlit redraws the page, so each new box is given it as it appears.
  const scrollers = '.st-key-{SCROLL_KEY} [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"])';
  const focusable = () => {{
    for (const box of document.querySelectorAll(scrollers)) {{
      if (!box.hasAttribute("tabindex")) {{
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Chart: scroll sideways to see all of it");
      }}
    }}
  }};
  new MutationObserver(focusable).observe(document.body, {{ childList: true, subtree: true }});
  focusable();
}}
</script>"""


def apply_style() -> None:
    """The styles and the print fitting; once a run, from the shell, before the page draws anything."""
    st.html(_STYLE)  # style only: Streamlit puts it out of the page's flow
    with st.container(key=_SCRIPT_KEY):
        st.html(_SCRIPT, unsafe_allow_javascript=True)
