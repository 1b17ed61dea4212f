"""Figures of the demand forecast: pure functions from dashboard.demand's and dashboard.need's frames to plotly
figures, in the house style of dashboard.charts. Every forecast is a dashed line inside a shaded band (its 5th to 95th
percentiles); what happened is a solid line; the programme's beds a step line; the target a dashed line across."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import DARK_BLUE, DARK_PINK, ORANGE, TEXT, key_at_bottom, styled
from dashboard.need import Crossing
from dashboard.wording import plural

BAND_FILL = "rgba(18, 67, 109, 0.18)"  # DARK_BLUE, pale: the band behind the expected line
BAND_NAME = "Likely range (5th to 95th percentile)"
CHART_PX = 380


def beds_title(crossing: Crossing) -> str:
    """Chart 1's message: where the programme's beds meet the expected need (Crossing says it in full)."""
    if crossing.met_from is None:
        return (
            f"The programme's beds fall {plural(crossing.short_at_end, 'bed')} short of need at {crossing.last:%B %Y}"
        )
    if crossing.met_from == crossing.first:
        return f"The programme's beds meet forecast need to {crossing.last:%B %Y}"
    return f"The programme's beds meet forecast need from {crossing.met_from:%B %Y}"


def _band(fig: go.Figure, frame: pd.DataFrame, what: str) -> None:
    """The interval as a shaded band: the lower edge, then the upper filled down to it."""
    x = pd.to_datetime(frame["period_end"])
    fig.add_trace(
        go.Scatter(x=x, y=frame["lower"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["upper"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND_FILL,
            name=BAND_NAME,
            customdata=frame[["lower"]],
            hovertemplate=f"{what}, %{{x|%B %Y}}: likely %{{customdata[0]:,.0f}} to %{{y:,.0f}}<extra></extra>",
        )
    )


def _expected(fig: go.Figure, frame: pd.DataFrame, name: str, what: str) -> None:
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(frame["period_end"]),
            y=frame["expected"],
            mode="lines",
            name=name,
            line={"color": DARK_BLUE, "width": 3, "dash": "dash"},
            hovertemplate=f"{what}, %{{x|%B %Y}}: %{{y:,.1f}} expected<extra></extra>",
        )
    )


def _finish(fig: go.Figure, title: str) -> go.Figure:
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    fig.update_xaxes(tickformat="%b %Y")
    return key_at_bottom(styled(fig, title, CHART_PX))


def beds_chart(compared: pd.DataFrame, crossing: Crossing) -> go.Figure:
    """Beds needed (expected and band) beside the programme's beds (a step line) and the target (dashed), month by
    month: `compared` is dashboard.need.comparison's frame."""
    fig = go.Figure()
    _band(fig, compared, "Beds needed")
    _expected(fig, compared, "Beds needed (expected)", "Beds needed")
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(compared["period_end"]),
            y=compared["programme_beds"],
            mode="lines",
            name="The programme's beds",
            line={"color": DARK_PINK, "width": 3, "shape": "hv"},
            hovertemplate="The programme's beds, %{x|%B %Y}: %{y:,d}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(compared["period_end"]),
            y=compared["target"],
            mode="lines",
            name=f"Target ({crossing.target} beds)",
            line={"color": ORANGE, "width": 2, "dash": "dot"},
            hovertemplate="Target: %{y:,d} beds<extra></extra>",
        )
    )
    return _finish(fig, beds_title(crossing))


def children_title(noun: str, history: pd.DataFrame, forecast: pd.DataFrame) -> str:
    """'Children in children's homes: 23 in March 2020, about 8 forecast for March 2023'."""
    parts = []
    if not history.empty:
        last = history.iloc[-1]
        parts.append(f"{last['children']:,.0f} in {pd.Timestamp(last['period_end']):%B %Y}")
    if not forecast.empty:
        end = forecast.iloc[-1]
        parts.append(f"about {end['expected']:,.0f} forecast for {pd.Timestamp(end['period_end']):%B %Y}")
    return f"{noun}: {', '.join(parts)}" if parts else noun


def children_chart(noun: str, history: pd.DataFrame, forecast: pd.DataFrame) -> go.Figure:
    """A count month by month as it was (`history`: period_end, children) and as forecast (`forecast`: period_end,
    expected, lower, upper), the forecast's line and band starting from the last month seen so it visibly carries
    on from it."""
    fig = go.Figure()
    carried = forecast[["period_end", "expected", "lower", "upper"]]
    if not history.empty:
        last = history.iloc[-1]
        count = last["children"]
        joint = pd.DataFrame({"period_end": [last["period_end"]], "expected": count, "lower": count, "upper": count})
        carried = pd.concat([joint, carried], ignore_index=True)
    _band(fig, carried, noun)
    _expected(fig, carried, "Forecast (expected)", noun)
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(history["period_end"]),
            y=history["children"],
            mode="lines",
            name="Month end, as it was",
            line={"color": TEXT, "width": 3},
            hovertemplate=f"{noun}, %{{x|%B %Y}}: %{{y:,.0f}}<extra></extra>",
        )
    )
    return _finish(fig, children_title(noun, history, forecast))


def backtest_title(mape: float | None) -> str:
    if mape is None:
        return "The forecast a year ahead beside what happened"
    return f"A year ahead, the forecast was off by {mape:.1f}% on average"


def backtest_chart(tested: pd.DataFrame, mape: float | None) -> go.Figure:
    """The backtest (dashboard.forecast.BACKTEST_COLUMNS): children in children's homes as forecast a year ahead
    (expected and band) beside the actual month-end counts."""
    fig = go.Figure()
    _band(fig, tested, "Forecast")
    _expected(fig, tested, "Forecast a year ahead (expected)", "Forecast")
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(tested["period_end"]),
            y=tested["actual"],
            mode="lines+markers",
            name="What happened",
            line={"color": TEXT, "width": 3},
            marker={"size": 6},
            hovertemplate="What happened, %{x|%B %Y}: %{y:,.0f}<extra></extra>",
        )
    )
    return _finish(fig, backtest_title(mape))
