"""The residential strategy dashboard: `streamlit run app.py`. The frame around every page (page set-up, sign-in,
navigation, the programme filters) is dashboard_ui.shell; the pages are in pages/."""

from dashboard_ui.shell import run

run()
