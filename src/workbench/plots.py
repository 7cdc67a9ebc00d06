"""Figures: each function takes tidy data and returns a plotly figure, never shows it."""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from .kpis import is_active

#: One colour per channel, the same in every figure.
CHANNEL_COLORS = {
    "email": "#4C78A8", "phone": "#F58518", "sms": "#E45756", "chat": "#72B7B2",
    "ticket": "#54A24B", "meeting": "#B279A2", "visit": "#FF9DA6", "other": "#9D755D",
}
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=30, t=60, b=50), height=420)


def _finish(fig: go.Figure, title: str) -> go.Figure:
    return fig.update_layout(title=title, **_LAYOUT)


def plot_activity(monthly: pd.DataFrame) -> go.Figure:
    """Stacked monthly interactions by channel; inbound above the axis, outbound below."""
    df = monthly.copy()
    df["signed"] = df["n"].where(df["direction"] == "in", -df["n"])
    fig = px.bar(
        df, x="month", y="signed", color="channel", color_discrete_map=CHANNEL_COLORS,
        labels={"signed": "interactions (in ↑ / out ↓)", "month": ""},
        hover_data={"n": True, "direction": True, "signed": False},
    )
    fig.update_layout(barmode="relative")
    return _finish(fig, "Interactions per month: customers' messages above, ours below")


def plot_new_customers(by_month: pd.DataFrame) -> go.Figure:
    """New customers per month."""
    fig = px.bar(by_month, x="month", y="new_customers", labels={"month": "", "new_customers": "new customers"})
    return _finish(fig, "New customers per month")


def plot_time_per_relationship(metrics: pd.DataFrame, active_days: int) -> go.Figure:
    """Distribution of effort hours per active account over the window, mean marked."""
    active = metrics[is_active(metrics, active_days)]
    fig = px.histogram(
        active, x="effort_hours", nbins=40, labels={"effort_hours": "hours spent in the window"},
        hover_data=["name"],
    )
    mean = active["effort_hours"].mean()
    fig.add_vline(x=mean, line_dash="dash", annotation_text=f"mean {mean:.1f} h")
    fig.update_yaxes(title="accounts")
    return _finish(fig, "Time spent per relationship: most need little, a few need a lot")


def plot_customers_per_member(load: pd.DataFrame) -> go.Figure:
    """Active customers and effort hours per account owner."""
    fig = go.Figure([
        go.Bar(x=load["member"], y=load["customers"], name="active customers", yaxis="y"),
        go.Scatter(
            x=load["member"], y=load["effort_hours"], name="hours spent", yaxis="y2",
            mode="markers", marker=dict(size=14, symbol="diamond"),
        ),
    ])
    fig.update_layout(
        yaxis=dict(title="active customers"),
        yaxis2=dict(title="hours spent in the window", overlaying="y", side="right", rangemode="tozero"),
        legend=dict(orientation="h", y=1.08),
    )
    return _finish(fig, "Customers and hours per account owner")


def plot_satisfaction(by_quarter: pd.DataFrame) -> go.Figure:
    """NPS per quarter (line) with the number of answers behind it (bars)."""
    fig = go.Figure([
        go.Bar(x=by_quarter["quarter"], y=by_quarter["answers"], name="answers", opacity=0.35, yaxis="y2"),
        go.Scatter(x=by_quarter["quarter"], y=by_quarter["nps"], name="NPS", mode="lines+markers"),
    ])
    fig.update_layout(
        yaxis=dict(title="NPS", range=[-100, 100], zeroline=True),
        yaxis2=dict(title="answers", overlaying="y", side="right", rangemode="tozero", showgrid=False),
        legend=dict(orientation="h", y=1.08),
    )
    return _finish(fig, "Satisfaction per quarter (NPS; bars show how many answered)")


def plot_lead_response(per_lead: pd.DataFrame, promise_hours: float, cold_after_hours: float) -> go.Figure:
    """Cumulative share of leads answered by hours since they arrived, promise and cold marked."""
    h = per_lead["response_hours"].dropna().sort_values()
    n = len(per_lead)
    fig = go.Figure(go.Scatter(
        x=h, y=[(i + 1) / n for i in range(len(h))], mode="lines", line_shape="hv", name="answered",
        hovertemplate="%{y:.0%} answered within %{x:.1f} h<extra></extra>",
    ))
    # The marks are traces, not add_vline shapes: on a log axis plotly places a shape and
    # its annotation in different coordinate systems, and the lines land decades astray.
    for hours, label, dash, color in (
        (promise_hours, f"promise {promise_hours:g} h", "dash", "#333333"),
        (cold_after_hours, f"cold after {cold_after_hours:g} h", "dot", "firebrick"),
    ):
        fig.add_trace(go.Scatter(
            x=[hours, hours], y=[0, 1], mode="lines", name=label,
            line=dict(dash=dash, color=color), hoverinfo="name",
        ))
    lo = min([promise_hours, *h[h > 0].head(1)]) / 2
    hi = max([cold_after_hours, *h.tail(1)]) * 2
    fig.update_xaxes(type="log", range=[math.log10(lo), math.log10(hi)],
                     title="hours to first answer (log scale)")
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    fig.update_yaxes(title="share of leads answered", tickformat=".0%", range=[0, 1])
    return _finish(fig, "Lead response: how soon leads hear from us")
