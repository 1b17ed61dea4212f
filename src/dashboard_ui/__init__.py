"""The Streamlit edge: cached access to the store, the shared sidebar and widgets. Pages import from here and from
dashboard (the domain); nothing in dashboard imports Streamlit."""
