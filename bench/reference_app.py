"""The issue's reference page, measured beside the app's pages as a second floor: one plotly chart and a 10,000-row
table, its data made once per process (so a rerun costs only what showing them costs)."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

ROWS = 10_000


@st.cache_resource
def rows() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "reference": [f"REF-{i:05d}" for i in range(ROWS)],
            "group": rng.choice([f"Group {g}" for g in "ABCDEFGHIJ"], ROWS),
            "beds": rng.integers(1, 5, ROWS),
            "planned_on": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 1000, ROWS), unit="D"),
        }
    )


table = rows()
by_group = table.groupby("group", as_index=False)["beds"].sum()
st.plotly_chart(go.Figure(go.Bar(x=by_group["group"], y=by_group["beds"])))
st.dataframe(table)
