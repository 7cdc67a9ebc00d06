"""Figures: each function takes tidy data and returns a plotly figure, never shows it."""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from .formatting import money
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
    """Active customers and effort hours per account owner (customers only when the hours
    are unknown, without a contact log)."""
    fig = go.Figure(go.Bar(x=load["member"], y=load["customers"], name="active customers", yaxis="y"))
    fig.update_layout(yaxis=dict(title="active customers"), legend=dict(orientation="h", y=1.08))
    if load["effort_hours"].isna().all():
        return _finish(fig, "Customers per account owner (no contact log: hours unknown)")
    fig.add_trace(go.Scatter(
        x=load["member"], y=load["effort_hours"], name="hours spent", yaxis="y2",
        mode="markers", marker=dict(size=14, symbol="diamond"),
    ))
    fig.update_layout(
        yaxis2=dict(title="hours spent in the window", overlaying="y", side="right", rangemode="tozero"),
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


# Commitment (01)

SEGMENT_COLORS = {
    "entrenched": "#1B7837", "average": "#7FBF7B", "shallow": "#F1A340", "convertible": "#D7301F",
    "unscored": "#BBBBBB",
}


def plot_score_distribution(scores: pd.DataFrame, thresholds: dict[str, float]) -> go.Figure:
    """Histogram of commitment scores coloured by segment, segment thresholds marked."""
    fig = px.histogram(
        scores, x="commitment_score", color="segment", nbins=40, color_discrete_map=SEGMENT_COLORS,
        category_orders={"segment": list(SEGMENT_COLORS)}, labels={"commitment_score": "commitment score"},
    )
    for name, value in thresholds.items():
        fig.add_vline(x=value, line_dash="dash", line_color="#555", annotation_text=name)
    fig.update_layout(bargap=0.05, xaxis_range=[0, 100])
    fig.update_yaxes(title="accounts")
    return _finish(fig, "Commitment scores: where each segment begins")


def plot_segments(table: pd.DataFrame) -> go.Figure:
    """Share of accounts and share of revenue per segment, side by side."""
    long = table.melt(id_vars="segment", value_vars=["account_share", "revenue_share"],
                      var_name="measure", value_name="share")
    long["measure"] = long["measure"].map({"account_share": "accounts", "revenue_share": "revenue"})
    fig = px.bar(long, x="segment", y="share", color="measure", barmode="group", text_auto=".0%",
                 labels={"segment": "", "share": "share of the portfolio"})
    fig.update_yaxes(tickformat=".0%")
    return _finish(fig, "Segments: their share of accounts and of revenue")


def plot_commitment_map(quadrants: pd.DataFrame, committed_at: float, value_split: float) -> go.Figure:
    """Commitment × value scatter with the four quadrants labelled."""
    df = quadrants.assign(value=quadrants["revenue"].clip(lower=1))
    fig = px.scatter(
        df, x="commitment_score", y="value", color="quadrant", log_y=True,
        hover_name="name", hover_data={"account_id": True, "segment": True, "revenue": ":.0f", "value": False},
        labels={"commitment_score": "commitment score", "value": "revenue, last 12 months (log)"},
    )
    fig.add_vline(x=committed_at, line_dash="dash", line_color="#555")
    # The value split is a trace: shapes on a log axis are placed unreliably (see above).
    fig.add_trace(go.Scatter(x=[0, 100], y=[max(value_split, 1)] * 2, mode="lines", showlegend=False,
                             line=dict(dash="dash", color="#555"), hoverinfo="skip"))
    fig.update_xaxes(range=[0, 100])
    return _finish(fig, "Commitment × value: keep the core, win back the at-risk, grow the loyal")


def plot_drivers(drivers: pd.DataFrame, title: str) -> go.Figure:
    """Points each indicator earned (dark) out of the points it could earn (light)."""
    d = drivers.iloc[::-1]
    fig = go.Figure([
        go.Bar(x=d["possible"], y=d["indicator"], orientation="h", name="points possible",
               marker_color="#DDDDDD", hovertemplate="%{y}: up to %{x:.1f}<extra></extra>"),
        go.Bar(x=d["points"], y=d["indicator"], orientation="h", name="points earned",
               marker_color="#4C78A8", text=[f"{p:.1f}" for p in d["points"]],
               hovertemplate="%{y}: %{x:.1f} points<extra></extra>"),
    ])
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", y=1.08),
                      xaxis_title="points of the score (they add up to the score)")
    return _finish(fig, title)


def plot_backtest(roc: pd.DataFrame, auc: dict[str, float], by_segment: pd.DataFrame) -> go.Figure:
    """ROC curves of the score and the baselines, and retention by segment."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("ROC: score against baselines", "kept buying, by segment"))
    for model, curve in roc.groupby("model", sort=False):
        fig.add_trace(go.Scatter(x=curve["fpr"], y=curve["tpr"], mode="lines",
                                 name=f"{model} (AUC {auc[model]:.2f})"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="#999"),
                             name="chance", showlegend=False), row=1, col=1)
    fig.add_trace(go.Bar(x=by_segment["segment"], y=by_segment["retained_share"], showlegend=False,
                         marker_color=[SEGMENT_COLORS.get(s, "#999") for s in by_segment["segment"]],
                         text=[f"{v:.0%}" for v in by_segment["retained_share"]]), row=1, col=2)
    fig.update_xaxes(title_text="false positive rate", row=1, col=1)
    fig.update_yaxes(title_text="true positive rate", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return _finish(fig, "Backtest: did the score at the cut-off predict who kept buying?")


# Energy drain (02)

#: How the energy figures colour an account's standing.
STANDING_COLORS = {"drop candidate": "#D62728", "kept: protected, young or committed": "#F2A900",
                   "high energy": "#4C78A8", "the rest": "#B8B8B8"}


def plot_energy_pareto(ranked: pd.DataFrame, share: float, names: pd.Series | None = None) -> go.Figure:
    """Energy per account from most to least (bars) and its cumulative share (line).

    ``ranked`` is :attr:`workbench.energy.ParetoResult.ranked` (index account id, columns
    ``energy`` and ``cum_share``); the point where the line reaches ``share`` is marked.
    """
    df = ranked.reset_index()
    df["rank"] = range(1, len(df) + 1)
    label = df["account_id"].map(names).fillna(df["account_id"]) if names is not None else df["account_id"]
    k = int((df["cum_share"] < share - 1e-12).sum()) + 1
    fig = go.Figure([
        go.Bar(x=df["rank"], y=df["energy"], name="energy per account (h)", marker_color="#4C78A8",
               customdata=label, hovertemplate="#%{x} %{customdata}: %{y:.1f} energy h<extra></extra>"),
        go.Scatter(x=df["rank"], y=df["cum_share"], name="cumulative share", yaxis="y2",
                   mode="lines", line=dict(color="#333333"),
                   hovertemplate="top %{x} accounts: %{y:.0%} of energy<extra></extra>"),
        # The mark is a trace, not add_vline: shapes and their labels misplace on some axes.
        go.Scatter(x=[k, k, 0], y=[0, share, share], yaxis="y2", mode="lines+text",
                   line=dict(color="#D62728", dash="dash"), name=f"{share:.0%} point",
                   text=["", f"{k} accounts ({k / len(df):.0%}) carry {share:.0%}", ""],
                   textposition="top right", hoverinfo="name"),
    ])
    fig.update_layout(
        xaxis=dict(title="accounts, most energy first"),
        yaxis=dict(title="energy (weighted hours)"),
        yaxis2=dict(title="cumulative share of energy", overlaying="y", side="right",
                    range=[0, 1.02], tickformat=".0%", dtick=0.2, showgrid=False),
        legend=dict(orientation="h", y=1.1), bargap=0,
    )
    fig = _finish(fig, f"80/20: the {k} accounts that carry {share:.0%} of the energy")
    return fig.update_layout(margin=dict(_LAYOUT["margin"], r=80))


def plot_lorenz(lorenz: pd.DataFrame, gini: float) -> go.Figure:
    """Lorenz curve of energy over accounts, with the line of perfect equality."""
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="every account the same",
                   line=dict(color="#999999", dash="dot"), hoverinfo="skip"),
        go.Scatter(x=lorenz["account_share"], y=lorenz["value_share"], mode="lines", name="energy",
                   fill="tonexty", line=dict(color="#4C78A8"),
                   hovertemplate="the lightest %{x:.0%} of accounts: %{y:.0%} of energy<extra></extra>"),
    ])
    fig.update_xaxes(title="share of accounts, least energy first", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title="share of energy", tickformat=".0%", range=[0, 1])
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    return _finish(fig, f"Lorenz curve of energy (Gini {gini:.2f}; 0 = all equal, 1 = one account has all)")


def plot_inbound_heatmap(grid: pd.DataFrame, start_hour: float, end_hour: float, weekdays: tuple[int, ...]) -> go.Figure:
    """Inbound messages by weekday × hour; business hours outlined.

    ``grid`` is :func:`workbench.energy.inbound_heatmap`; ``weekdays`` are ISO numbers of
    the working days, ``start_hour``/``end_hour`` the business day in local hours.
    """
    days = list(grid.index)
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=list(grid.columns), y=list(range(len(days))), colorscale="Blues",
        colorbar=dict(title="messages"), customdata=[[d] * grid.shape[1] for d in days],
        hovertemplate="%{customdata} %{x}:00–%{x}:59: %{z} inbound<extra></extra>",
    ))
    # Business hours as one outline trace per working day (None breaks the line between).
    xs: list[float | None] = []
    ys: list[float | None] = []
    x0, x1 = start_hour - 0.5, end_hour - 0.5
    for d in weekdays:
        y = d - 1
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y - 0.5, y - 0.5, y + 0.5, y + 0.5, y - 0.5, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#D62728", width=2),
                             name="business hours", hoverinfo="skip", showlegend=True))
    fig.update_yaxes(tickvals=list(range(len(days))), ticktext=days, autorange="reversed", title="")
    fig.update_xaxes(title="hour of the day (local time)", dtick=2, range=[-0.5, 23.5])
    fig.update_layout(legend=dict(orientation="h", y=1.08), plot_bgcolor="white")
    return _finish(fig, "When customers write: inbound messages by weekday and hour")


def plot_whale_curve(curve: pd.DataFrame, peak_share: float, peak_account_share: float,
                     names: pd.Series | None = None) -> go.Figure:
    """Cumulative net value (share of total profit), accounts from most to least profitable.

    ``curve`` is :attr:`workbench.energy.WhaleCurve.curve`; the peak is marked.
    """
    label = curve["account_id"].map(names).fillna(curve["account_id"]) if names is not None else curve["account_id"]
    fig = go.Figure([
        go.Scatter(x=curve["account_share"], y=curve["cum_share"], mode="lines", name="cumulative net value",
                   line=dict(color="#4C78A8", width=3), customdata=label.fillna(""),
                   hovertemplate="best %{x:.0%} of accounts (to %{customdata}): %{y:.0%} of profit<extra></extra>"),
        go.Scatter(x=[0, 1], y=[1, 1], mode="lines", name="total profit (100 %)",
                   line=dict(color="#999999", dash="dot"), hoverinfo="name"),
        go.Scatter(x=[peak_account_share], y=[peak_share], mode="markers+text", name="peak",
                   marker=dict(size=12, color="#D62728"),
                   text=[f"peak: best {peak_account_share:.0%} earn {peak_share:.0%}"],
                   textposition="top center", hoverinfo="text"),
    ])
    # Room above the peak for its label; below zero when the curve dips under it.
    lo = min(0.0, float(curve["cum_share"].min()))
    fig.update_xaxes(title="share of accounts, most profitable first", tickformat=".0%", range=[0, 1.01])
    fig.update_yaxes(title="cumulative net value, share of total profit", tickformat=".0%",
                     range=[lo - 0.05, max(peak_share, 1.0) * 1.15])
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    return _finish(fig, "Whale curve: where the profit is made and given back")


def plot_energy_vs_value(accounts: pd.DataFrame) -> go.Figure:
    """Energy (x) against net value (y) per account, coloured by standing, with hover details.

    ``accounts`` needs ``account_id, name, energy, net_value, standing`` (a key of
    :data:`STANDING_COLORS`) and ``hover`` (text shown on hover).
    """
    fig = go.Figure()
    for standing, color in STANDING_COLORS.items():
        d = accounts[accounts["standing"] == standing]
        if d.empty:
            continue
        fig.add_trace(go.Scatter(
            x=d["energy"], y=d["net_value"], mode="markers", name=f"{standing} ({len(d)})",
            marker=dict(color=color, size=9 if standing == "drop candidate" else 7,
                        line=dict(width=0.5, color="white")),
            text=d["hover"], hovertemplate="%{text}<extra></extra>",
        ))
    hi = float(accounts["energy"].max()) if len(accounts) else 1.0
    fig.add_trace(go.Scatter(x=[0, hi * 1.03], y=[0, 0], mode="lines", name="break-even",
                             line=dict(color="#333333", dash="dot", width=1), hoverinfo="skip"))
    fig.update_xaxes(title="energy (weighted hours in the window)", rangemode="tozero")
    fig.update_yaxes(title="net value € (margin − cost to serve)")
    fig.update_layout(legend=dict(orientation="h", y=1.1))
    return _finish(fig, "Energy against net value: bottom right is where energy drains")


def plot_energy_parts(breakdown: pd.DataFrame, parts: dict[str, str], n: int = 20) -> go.Figure:
    """The ``n`` heaviest accounts' energy as stacked named parts (hours).

    ``parts`` maps part columns to plain labels (:data:`workbench.energy.PART_LABELS`).
    """
    top = breakdown.nlargest(n, "energy", keep="first").iloc[::-1]
    label = top["name"] if "name" in top else top["account_id"]
    fig = go.Figure([
        go.Bar(y=label, x=top[col], name=name, orientation="h",
               hovertemplate=f"%{{y}}: %{{x:.1f}} h {name}<extra></extra>")
        for col, name in parts.items()
    ])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.08), height=max(420, 22 * n + 120),
                      xaxis=dict(title="energy (weighted hours)"))
    fig.update_yaxes(title="")
    return fig.update_layout(title=f"What the {n} heaviest accounts' energy is made of",
                             template="plotly_white", margin=_LAYOUT["margin"])


def plot_what_if_waterfall(portfolio_margin: float, margin_lost: float, value_of_hours: float, n: int) -> go.Figure:
    """Portfolio margin before and after letting ``n`` accounts go, as a waterfall."""
    after = portfolio_margin - margin_lost + value_of_hours
    fig = go.Figure(go.Waterfall(
        x=["margin today", f"margin of the {n} lost", "freed hours put to work", "margin after"],
        y=[portfolio_margin, -margin_lost, value_of_hours, after],
        measure=["absolute", "relative", "relative", "total"],
        text=[money(v) for v in (portfolio_margin, -margin_lost, value_of_hours, after)],
        textposition="outside", connector=dict(line=dict(color="#999999")),
        decreasing=dict(marker_color="#D62728"), increasing=dict(marker_color="#54A24B"),
        totals=dict(marker_color="#4C78A8"),
    ))
    fig.update_yaxes(title="margin € in the window", rangemode="tozero")
    fig.update_layout(showlegend=False)
    return _finish(fig, f"What-if: letting the {n} candidates go")


# Communication plan (03)
_TIER_COLORS = ("#D62728", "#F58518", "#4C78A8", "#54A24B", "#9D9D9D", "#B279A2", "#72B7B2")


def plot_tiers(tiers: pd.DataFrame) -> go.Figure:
    """Accounts per tier and the net value each tier earns, side by side; the accounts alone
    when net value is unknown (no invoices or no contact log). Tiers are named as the report
    names them (``label_fi`` in Finnish)."""
    from plotly.subplots import make_subplots

    from .formatting import number
    from .i18n import _, language

    # Imports kept local: plots.py is shared, its import block is not this figure's.
    names = (tiers["label_fi"] if language() == "fi" and "label_fi" in tiers else tiers["tier"]).tolist()
    colors = [_TIER_COLORS[i % len(_TIER_COLORS)] for i in range(len(tiers))]
    customers = _("customers")
    accounts = go.Bar(x=names, y=tiers["accounts"], marker_color=colors, text=[number(v) for v in tiers["accounts"]],
                      textposition="outside", hovertemplate="%{x}: %{y} " + customers + "<extra></extra>")
    if tiers.loc[tiers["accounts"] > 0, "net_value"].isna().all():
        fig = go.Figure(accounts).update_layout(showlegend=False)
        fig.update_yaxes(title=customers)
        return _finish(fig, _("Tiers: how many customers (what they earn is unknown)"))
    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("customers"), _("net value in the window")))
    fig.add_trace(accounts, 1, 1)
    fig.add_trace(go.Bar(x=names, y=tiers["net_value"], marker_color=colors,
                         text=[money(v) for v in tiers["net_value"]], textposition="outside",
                         hovertemplate="%{x}: %{text}<extra></extra>"), 1, 2)
    fig.update_layout(showlegend=False)
    fig.update_yaxes(rangemode="tozero")
    return _finish(fig, _("Tiers: how many customers, and what they earn after the cost to serve"))


def plot_plan_capacity(load: pd.DataFrame, schedule: pd.DataFrame, labels: dict[str, str] | None = None) -> go.Figure:
    """Planned hours per member and week (stacked by tier) against the hours reserved.

    Weeks are numbered as people count them, from 1 (:func:`workbench.schedule.week_number`),
    as in plan.xlsx; ``labels`` names the tiers (tier → name shown)."""
    from plotly.subplots import make_subplots

    from .i18n import _
    from .schedule import week_number

    labels = labels or {}
    members = list(dict.fromkeys(load["member"]))
    tiers = list(dict.fromkeys(schedule["tier"]))
    fig = make_subplots(rows=len(members), cols=1, shared_xaxes=True, subplot_titles=members,
                        vertical_spacing=0.25 / max(1, len(members)))
    reserved = _("hours reserved")
    for i, m in enumerate(members, 1):
        lm = load[load["member"] == m]
        weeks = week_number(lm["week"])
        for j, t in enumerate(tiers):
            name = labels.get(t, t)
            hours = schedule[(schedule["member"] == m) & (schedule["tier"] == t)].groupby("week")["minutes"].sum() / 60
            hover = _("{member}, week {week}, {tier}: {hours} h").format(
                member=m, week="%{x}", tier=name, hours="%{y:.1f}")
            fig.add_trace(go.Bar(x=weeks, y=hours.reindex(lm["week"]).fillna(0).to_numpy(), name=name,
                                 marker_color=_TIER_COLORS[j % len(_TIER_COLORS)], legendgroup=t,
                                 showlegend=i == 1, hovertemplate=hover + "<extra></extra>"), i, 1)
        hover = _("{member}, week {week}: {hours} h reserved").format(member=m, week="%{x}", hours="%{y:.1f}")
        fig.add_trace(go.Scatter(x=weeks, y=lm["capacity_hours"], mode="lines", line_shape="hvh",
                                 line=dict(color="#333333", dash="dash"), name=reserved,
                                 legendgroup="cap", showlegend=i == 1,
                                 hovertemplate=hover + "<extra></extra>"), i, 1)
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.08))
    fig.update_xaxes(title=_("plan week"), row=len(members), col=1)
    fig.update_yaxes(title=_("hours"), rangemode="tozero")
    fig = _finish(fig, _("Capacity: planned contact per member and week against the hours reserved"))
    return fig.update_layout(height=180 * len(members) + 120)


def plot_response_promises(responses: pd.DataFrame, labels: dict[str, str] | None = None) -> go.Figure:
    """Per tier: median and 90th-percentile first response (business hours) against the
    promise; ``labels`` names the tiers (tier → name shown)."""
    from .i18n import _

    labels = labels or {}
    r = responses[responses["channel"] == "all"]
    names = [labels.get(t, t) for t in r["tier"]]
    fig = go.Figure([
        go.Bar(y=names, x=r["p90_business_hours"], orientation="h", name=_("90th percentile"), marker_color="#A0C4E8",
               hovertemplate=_("{tier}: 90 % answered within {hours} working hours").format(
                   tier="%{y}", hours="%{x:.1f}") + "<extra></extra>"),
        go.Bar(y=names, x=r["median_business_hours"], orientation="h", name=_("median"), marker_color="#4C78A8",
               hovertemplate=_("{tier}: median {hours} working hours").format(tier="%{y}", hours="%{x:.1f}")
               + "<extra></extra>"),
        # The promise is a trace, not a shape: it must stay on its own tier's row.
        go.Scatter(y=names, x=r["promise_hours"], mode="markers", name=_("promise"),
                   marker=dict(symbol="line-ns", size=26, line=dict(width=4, color="#D62728")),
                   customdata=r["within_promise_share"],
                   hovertemplate=_("{tier}: promise {hours} working hours, kept for {kept}").format(
                       tier="%{y}", hours="%{x:g}", kept="%{customdata:.0%}") + "<extra></extra>"),
    ])
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", y=1.08))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=_("working hours to the first answer"), rangemode="tozero")
    return _finish(fig, _("First answer today against the promise, per tier (working hours)"))


# Explorer

#: The marks the timeline puts on an account's inbound messages: (key, label, marker).
#: Labels follow :data:`workbench.energy.PART_LABELS`, so a mark names the energy part it
#: adds to.
TIMELINE_MARKS = (
    ("evening", "after hours (working days)", dict(symbol="circle-open", size=15, color="#7B3294", line=dict(width=2))),
    ("off_day", "weekends and holidays", dict(symbol="square-open", size=15, color="#D62728", line=dict(width=2))),
    ("chaser", "chaser", dict(symbol="x-thin", size=12, color="#222222", line=dict(width=2.5))),
    ("complaint", "complaint", dict(symbol="star-open", size=18, color="#8C510A", line=dict(width=1.5))),
)
_LANE_OFFSET = 0.18  # inbound sits above its channel's line, outbound below


def _timeline_hover(e: pd.DataFrame, local: pd.Series) -> list[str]:
    flags = {"after_hours": "after hours", "off_day": "weekend/holiday", "chaser": "chaser", "complaint": "complaint"}
    texts = []
    for i, (_, r) in enumerate(e.iterrows()):
        who = "from the customer" if r["direction"] == "in" else "from us"
        bits = [f"{local.iloc[i]:%a %-d.%-m.%Y %H:%M}", f"{r['channel']}, {who}"]
        if pd.notna(r.get("effort_minutes")):
            by = f", {r['handled_by']}" if isinstance(r.get("handled_by"), str) else ""
            bits.append(f"{r['effort_minutes']:g} min{by}")
        marks = [label for col, label in flags.items() if col in r and r[col] == 1]
        # An evening message's after-hours flag says the same as "weekend" on an off day.
        if "weekend/holiday" in marks and "after hours" in marks:
            marks.remove("after hours")
        if marks:
            bits.append(", ".join(marks))
        if pd.notna(r.get("response_hours")):
            bits.append(f"our answer, {r['response_hours']:.1f} h after they first wrote")
        texts.append("<br>".join(bits))
    return texts


def plot_account_timeline(events: pd.DataFrame, timezone: str, *, title: str = "Interactions over time",
                          start: object = None, end: object = None) -> go.Figure:
    """One account's interactions over time: a line per channel, the customer's messages
    (filled, above the line) and ours (hollow, below), stress marked on the inbound.

    ``events`` is one account's rows of :attr:`workbench.energy.EnergyDrain.events` (the
    per-event features of :func:`workbench.metrics.featured_log`): ``ts, channel,
    direction`` and the 0/1 flags ``after_hours, off_day, chaser, complaint``; hover shows
    ``effort_minutes, handled_by, response_hours`` when present. Marks sit on the very
    messages that carry the flag, under the names of the energy parts they add to:
    after hours on a working day, weekends and holidays, chasers, complaints (see
    :data:`TIMELINE_MARKS`). ``start``/``end`` (dates) fix the time axis, e.g. to the
    analysis window, so quiet months show as gaps; times are local to ``timezone``.
    """
    fig = go.Figure()
    rng = [pd.Timestamp(x) for x in (start, end)] if start is not None and end is not None else None
    if events.empty:
        fig.add_annotation(text="No interactions in the window", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font=dict(size=16, color="#777777"))
        fig.update_xaxes(type="date", range=rng, showgrid=False)
        fig.update_yaxes(visible=False)
        return _finish(fig, title).update_layout(height=260)
    e = events.sort_values([c for c in ("ts", "seq") if c in events], kind="stable").reset_index(drop=True)
    local = e["ts"].dt.tz_convert(timezone).dt.tz_localize(None)
    known = [c for c in CHANNEL_COLORS if c in set(e["channel"])]
    channels = known + sorted(set(e["channel"]) - set(known))
    row = {c: i for i, c in enumerate(channels)}
    inbound = e["direction"] == "in"
    y = e["channel"].map(row) + inbound.map({True: -_LANE_OFFSET, False: _LANE_OFFSET})
    hover = pd.Series(_timeline_hover(e, local), index=e.index)
    for c in channels:
        color = CHANNEL_COLORS.get(c, CHANNEL_COLORS["other"])
        for is_in in (True, False):
            pick = (e["channel"] == c) & (inbound == is_in)
            if not pick.any():
                continue
            marker = (dict(symbol="circle", size=8, color=color, line=dict(width=0.5, color="white")) if is_in
                      else dict(symbol="circle-open", size=8, color=color, line=dict(width=1.5)))
            fig.add_trace(go.Scatter(
                x=local[pick], y=y[pick], mode="markers", marker=marker, showlegend=False,
                name=f"{c} {'in' if is_in else 'out'}", text=hover[pick], hovertemplate="%{text}<extra></extra>",
            ))
    flag = {
        "evening": (e.get("after_hours", 0) == 1) & (e.get("off_day", 0) != 1),
        "off_day": e.get("off_day", 0) == 1,
        "chaser": e.get("chaser", 0) == 1,
        "complaint": e.get("complaint", 0) == 1,
    }
    for key, label, marker in TIMELINE_MARKS:
        pick = pd.Series(flag[key], index=e.index).fillna(False).astype(bool) & inbound
        if not pick.any():
            continue
        fig.add_trace(go.Scatter(
            x=local[pick], y=y[pick], mode="markers", name=f"{label} ({int(pick.sum())})", marker=marker,
            hoverinfo="skip",
        ))
    # Two legend-only keys for the fill: which messages are the customer's, which ours.
    for label, symbol in (("from the customer", "circle"), ("from us", "circle-open")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label, hoverinfo="skip",
                                 marker=dict(symbol=symbol, size=8, color="#555555", line=dict(width=1.5))))
    fig.update_yaxes(tickvals=list(range(len(channels))), ticktext=channels, range=[len(channels) - 0.5, -0.5],
                     title="", showgrid=True, zeroline=False)
    fig.update_xaxes(type="date", range=rng, title="")
    fig = _finish(fig, title)
    return fig.update_layout(height=max(320, 60 * len(channels) + 190), hovermode="closest",
                             legend=dict(orientation="h", x=0, y=-0.08, yanchor="top"))


def plot_commitment_vs_energy(accounts: pd.DataFrame, committed_at: float, *, tiers: list[str] | None = None,
                              highlight: str | None = None, selected: object = None) -> go.Figure:
    """Commitment score (x) against energy (y), one point per account coloured by tier.

    ``accounts`` is :func:`workbench.explore.account_table` (``account_id, name, tier,
    segment, commitment_score, energy, net_value, drop_candidate``, optionally
    ``high_energy``: the dotted line is where the high-energy set begins); ``tiers``
    orders the colours as :func:`plot_tiers` does (the plan's tier order). ``highlight``
    rings one account and names it; ``selected`` (account ids) keeps those bright and
    fades the rest. Unscored accounts (no commitment score) cannot be placed and are left out.
    """
    df = accounts[accounts["commitment_score"].notna()]
    order = list(tiers) if tiers is not None else list(dict.fromkeys(accounts["tier"]))
    keep = set(df["account_id"] if selected is None else selected)
    name = df["name"] if "name" in df else df["account_id"]
    hover = pd.Series([
        f"<b>{n}</b> ({a})<br>tier {t}, {s}<br>commitment {c:.0f}, energy {en:.1f} h, "
        f"net value {money(v) if pd.notna(v) else 'unknown'}"
        for n, a, t, s, c, en, v in zip(name, df["account_id"], df["tier"], df["segment"], df["commitment_score"],
                                        df["energy"], df["net_value"])
    ], index=df.index)
    fig = go.Figure()
    for i, t in enumerate(order):
        d = df[df["tier"] == t]
        if d.empty:
            continue
        fig.add_trace(go.Scatter(
            x=d["commitment_score"], y=d["energy"], mode="markers", name=f"{t} ({len(d)})",
            marker=dict(color=_TIER_COLORS[i % len(_TIER_COLORS)], size=8, line=dict(width=0.5, color="white"),
                        opacity=[0.9 if a in keep else 0.2 for a in d["account_id"]]),
            text=hover[d.index], hovertemplate="%{text}<extra></extra>",
        ))
    cand = df[df["drop_candidate"].fillna(False).astype(bool)]
    if len(cand):
        fig.add_trace(go.Scatter(
            x=cand["commitment_score"], y=cand["energy"], mode="markers", name=f"drop candidate ({len(cand)})",
            marker=dict(symbol="diamond-open", size=13, color="#333333", line=dict(width=1.5)), hoverinfo="skip",
        ))
    top = float(df["energy"].max()) if len(df) else 1.0
    fig.add_trace(go.Scatter(x=[committed_at, committed_at], y=[0, top * 1.05], mode="lines",
                             name=f"committed from {committed_at:g}", line=dict(color="#555555", dash="dash"),
                             hoverinfo="skip"))
    high = accounts.loc[accounts["high_energy"].fillna(False).astype(bool), "energy"] \
        if "high_energy" in accounts else pd.Series(dtype="float64")
    if len(high):
        high_energy_from = float(high.min())
        fig.add_trace(go.Scatter(x=[0, 100], y=[high_energy_from] * 2, mode="lines",
                                 name=f"high-energy set from {high_energy_from:.1f} h",
                                 line=dict(color="#D62728", dash="dot"), hoverinfo="skip"))
    chosen = df[df["account_id"] == highlight] if highlight is not None else df.iloc[:0]
    if len(chosen):
        label = str(chosen["name"].iloc[0]) if "name" in chosen else str(highlight)
        fig.add_trace(go.Scatter(
            x=chosen["commitment_score"], y=chosen["energy"], mode="markers+text", name=f"chosen: {label}",
            marker=dict(symbol="circle-open", size=22, color="#000000", line=dict(width=3)),
            text=[label], textposition="top center", hovertext=hover[chosen.index], hoverinfo="text",
        ))
    fig.update_xaxes(title="commitment score", range=[0, 100])
    fig.update_yaxes(title="energy (weighted hours in the window)", rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=-0.15))
    fig = _finish(fig, "Commitment against energy: top left drains without loyalty, top right is loyal but demanding")
    return fig.update_layout(height=540)
