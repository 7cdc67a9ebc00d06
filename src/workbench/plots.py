"""Figures: each function takes tidy data and returns a plotly figure, never shows it."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from babel.numbers import get_currency_symbol
from babel.dates import get_day_names

from . import formatting
from .backtesting import model_name
from .commitment import QUADRANTS, indicator_name, segment_name
from .formatting import hours, money, number, percent
from .i18n import N_, _, currency, locale, ngettext
from .kpis import is_active

#: One colour per channel, the same in every figure.
CHANNEL_COLORS = {
    "email": "#4C78A8", "phone": "#F58518", "sms": "#E45756", "chat": "#72B7B2",
    "ticket": "#54A24B", "meeting": "#B279A2", "visit": "#FF9DA6", "other": "#9D755D",
}
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=30, t=60, b=50), height=420)


#: Above this many accounts a scatter draws a seeded sample, stratified by colour, that keeps
#: every point the reader must see (drop candidates), with WebGL: 100 000 SVG markers make a
#: page of tens of megabytes that takes a minute to open, and show no more than 5 000 do.
MAX_POINTS = 5_000
#: A curve over accounts is drawn through at most this many points, evenly spaced in rank,
#: its ends and marked points kept: at page width a line has no more detail to show.
MAX_CURVE_POINTS = 1_000
#: Above this many accounts a bar per account becomes a bar per run of neighbouring ranks.
MAX_BARS = 500
#: Of those, the heaviest accounts keep a bar each: the top of an 80/20 chart is read account
#: by account, so it is never averaged.
TOP_BARS = 100


def thin(frame: pd.DataFrame, *, keep: pd.Series | None = None, by: str | None = None,
         limit: int = MAX_POINTS, seed: int = 0) -> pd.DataFrame:
    """About ``limit`` rows of ``frame`` for a scatter: every row where ``keep`` is true and
    a seeded sample of the others, in proportion within each ``by`` group, never fewer than
    half the limit (so the kept rows are seen against the rest); the rows keep their order.
    Frames within the limit come back whole.

    Examples
    --------
    >>> df = pd.DataFrame({"x": range(10_000), "flag": [i % 1000 == 0 for i in range(10_000)]})
    >>> small = thin(df, keep=df["flag"], limit=500)
    >>> len(small) <= 510, bool(small["flag"].sum() == 10)
    (True, True)
    """
    if len(frame) <= limit:
        return frame
    kept = (keep.reindex(frame.index, fill_value=False).fillna(False).astype(bool) if keep is not None
            else pd.Series(False, index=frame.index))
    rest = frame[~kept]
    share = min(1.0, max(limit - int(kept.sum()), limit // 2) / max(len(rest), 1))
    rng = np.random.default_rng(seed)
    # Every group keeps at least one point: rounding a small group's share to nothing would
    # drop it, and its legend entry, from the figure.
    groups = rest.groupby(by, sort=False, dropna=False).indices.values() if by else [np.arange(len(rest))]
    picked = np.concatenate([rng.choice(g, size=min(len(g), max(1, round(share * len(g)))), replace=False)
                             for g in groups if len(g)] or [np.array([], dtype=int)])
    return frame[kept | frame.index.isin(rest.index[picked])]


def _note_sample(fig: go.Figure, shown: int, total: int, candidates: bool = False) -> go.Figure:
    """When a scatter shows a sample, say under it how many of how many (and that every
    drop candidate is in it)."""
    if shown >= total:
        return fig
    note = (_("a sample of {shown} of {total} accounts, every drop candidate among them") if candidates
            else _("a sample of {shown} of {total} accounts")).format(shown=number(shown), total=number(total))
    fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.2, xanchor="left", yanchor="top",
                       showarrow=False, font=dict(size=12, color="#555555"))
    return fig.update_layout(margin=dict(_LAYOUT["margin"], b=90))


def _curve_rows(n: int, marks: Sequence[int] = ()) -> np.ndarray:
    """Positions a curve over ``n`` accounts is drawn through: all of them up to
    :data:`MAX_CURVE_POINTS`, else evenly spaced ones with the ends and ``marks``."""
    if n <= MAX_CURVE_POINTS:
        return np.arange(n)
    spaced = np.linspace(0, n - 1, MAX_CURVE_POINTS).round().astype(int)
    return np.unique(np.concatenate([spaced, [m for m in marks if 0 <= m < n]]).astype(int))


def _finish(fig: go.Figure, title: str) -> go.Figure:
    return fig.update_layout(title=title, separators=_separators(), **_LAYOUT)


def _ring(fig: go.Figure, x: float, y: float, label: str, hover: str | None = None, **axes: str) -> go.Figure:
    """Ring and name one account (the one the explorer has open) on ``fig``."""
    return fig.add_trace(go.Scatter(
        x=[x], y=[y], mode="markers+text", name=label, text=[label], textposition="top center",
        marker=dict(symbol="circle-open", size=22, color="#000000", line=dict(width=3)),
        hovertext=[hover or label], hoverinfo="text", **axes))


def _separators() -> str:
    """plotly's decimal and thousands marks in the report's locale (``",\u00a0"`` in Finnish),
    so that its own hover numbers and ticks read like the figures the report writes."""
    return formatting.number(0.5, 1)[1] + formatting.number(1000)[1]


#: What a reader calls each channel (translated where shown).
CHANNEL_NAMES = {
    "email": N_("email"), "phone": N_("phone"), "sms": N_("text message"), "chat": N_("chat"),
    "ticket": N_("ticket"), "meeting": N_("meeting"), "visit": N_("visit"), "other": N_("other"),
}


def plot_activity(monthly: pd.DataFrame) -> go.Figure:
    """Stacked monthly interactions by channel; inbound above the axis, outbound below."""
    df = monthly.copy()
    df["signed"] = df["n"].where(df["direction"] == "in", -df["n"])
    df["channel_name"] = [_(CHANNEL_NAMES.get(c, c)) for c in df["channel"]]
    df["direction_name"] = [_("from the customer") if d == "in" else _("from us") for d in df["direction"]]
    colors = {_(CHANNEL_NAMES.get(c, c)): color for c, color in CHANNEL_COLORS.items()}
    fig = px.bar(
        df, x="month", y="signed", color="channel_name", color_discrete_map=colors,
        labels={"signed": _("messages and contacts (from customers ↑ / from us ↓)"), "month": _("month"),
                "channel_name": _("channel"), "n": _("number"), "direction_name": _("direction")},
        hover_data={"n": True, "direction_name": True, "signed": False},
    )
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title="")  # months need no axis title; the hover names them
    return _finish(fig, _("Contact per month: customers' messages above, ours below"))


def plot_new_customers(by_month: pd.DataFrame) -> go.Figure:
    """New customers per month."""
    fig = px.bar(by_month, x="month", y="new_customers",
                 labels={"month": _("month"), "new_customers": _("new customers")})
    fig.update_xaxes(title="")
    return _finish(fig, _("New customers per month"))


def plot_time_per_relationship(metrics: pd.DataFrame, active_days: int) -> go.Figure:
    """Distribution of effort hours per active account over the window, mean marked."""
    active = metrics[is_active(metrics, active_days)]
    fig = px.histogram(
        active, x="effort_hours", nbins=40,
        labels={"effort_hours": _("hours spent in the window"), "name": _("customer")},
        hover_data=["name"],
    )
    mean = active["effort_hours"].mean()
    fig.add_vline(x=mean, line_dash="dash", annotation_text=_("mean {hours}").format(hours=hours(mean, 1)))
    fig.update_yaxes(title=_("customers"))
    fig.update_traces(hovertemplate=f"{_('hours spent in the window')}: %{{x}}<br>{_('customers')}: %{{y}}"
                      "<extra></extra>")
    return _finish(fig, _("Time spent per customer: most need little, a few need a lot"))


def plot_customers_per_member(load: pd.DataFrame) -> go.Figure:
    """Active customers and effort hours per account owner (customers only when the hours
    are unknown, without a contact log)."""
    members = [_("(no owner)") if m == "(no owner)" else m for m in load["member"]]
    fig = go.Figure(go.Bar(x=members, y=load["customers"], name=_("active customers"), yaxis="y",
                           hovertemplate="%{x}: %{y}<extra>" + _("active customers") + "</extra>"))
    fig.update_layout(yaxis=dict(title=_("active customers")), legend=dict(orientation="h", y=1.08))
    if load["effort_hours"].isna().all():
        return _finish(fig, _("Customers per account owner (no contact log: hours unknown)"))
    fig.add_trace(go.Scatter(
        x=members, y=load["effort_hours"], name=_("hours spent"), yaxis="y2",
        mode="markers", marker=dict(size=14, symbol="diamond"),
        hovertemplate="%{x}: %{y:.0f} h<extra>" + _("hours spent") + "</extra>",
    ))
    fig.update_layout(
        yaxis2=dict(title=_("hours spent in the window"), overlaying="y", side="right", rangemode="tozero"),
    )
    return _finish(fig, _("Customers and hours per team member"))


def plot_satisfaction(by_quarter: pd.DataFrame) -> go.Figure:
    """NPS per quarter (line) with the number of answers behind it (bars)."""
    fig = go.Figure([
        go.Bar(x=by_quarter["quarter"], y=by_quarter["answers"], name=_("answers"), opacity=0.35, yaxis="y2",
               hovertemplate="%{x}: %{y}<extra>" + _("answers") + "</extra>"),
        go.Scatter(x=by_quarter["quarter"], y=by_quarter["nps"], name="NPS", mode="lines+markers",
                   hovertemplate="%{x}: NPS %{y:.0f}<extra></extra>"),
    ])
    fig.update_layout(
        yaxis=dict(title="NPS", range=[-100, 100], zeroline=True),
        yaxis2=dict(title=_("answers"), overlaying="y", side="right", rangemode="tozero", showgrid=False),
        legend=dict(orientation="h", y=1.08),
    )
    return _finish(fig, _("Satisfaction per quarter (NPS; bars show how many answered)"))


def plot_lead_response(per_lead: pd.DataFrame, promise_hours: float, cold_after_hours: float) -> go.Figure:
    """Cumulative share of leads answered by hours since they arrived, promise and cold
    marked; the leads never answered are the band at the top right that the curve never
    reaches. Leads still open (too young to say) are left out, as in the KPIs."""
    known = per_lead[~per_lead["still_open"]] if "still_open" in per_lead else per_lead
    h = known["response_hours"].dropna().sort_values()
    n = len(known)
    fig = go.Figure(go.Scatter(
        x=h, y=[(i + 1) / n for i in range(len(h))], mode="lines", line_shape="hv", name=_("answered"),
        hovertemplate=_("{share} answered within {hours}").format(share="%{y:.0%}", hours="%{x:.1f} h")
        + "<extra></extra>",
    ))
    # The marks are traces, not add_vline shapes: on a log axis plotly places a shape and
    # its annotation in different coordinate systems, and the lines land decades astray.
    def short(x: float) -> str:
        return number(x, 0 if float(x).is_integer() else 1)

    for at, label, dash, color in (
        (promise_hours, _("promise {hours} h").format(hours=short(promise_hours)), "dash", "#333333"),
        (cold_after_hours, _("cold after {hours} h").format(hours=short(cold_after_hours)), "dot", "firebrick"),
    ):
        fig.add_trace(go.Scatter(
            x=[at, at], y=[0, 1], mode="lines", name=label,
            line=dict(dash=dash, color=color), hoverinfo="name",
        ))
    # The leads never answered: the gap the curve never closes, drawn as a band at the
    # right edge (paper coordinates across, so the log axis cannot misplace it).
    never = int(known["never_answered"].sum()) if "never_answered" in known else n - len(h)
    if n and never:
        top = len(h) / n
        fig.add_shape(type="rect", xref="paper", x0=0.94, x1=1.0, yref="y", y0=top, y1=1,
                      fillcolor="firebrick", opacity=0.35, line_width=0)
        fig.add_annotation(
            xref="paper", x=0.93, yref="y", y=(top + 1) / 2, xanchor="right", showarrow=False,
            text=ngettext("no answer: {n} lead ({share})", "no answer: {n} leads ({share})", never).format(
                n=number(never), share=percent(never / n)),
            font=dict(color="firebrick"), bgcolor="rgba(255,255,255,0.8)",
        )
    lo = min([promise_hours, *h[h > 0].head(1)]) / 2
    hi = max([cold_after_hours, *h.tail(1)]) * 2
    fig.update_xaxes(type="log", range=[math.log10(lo), math.log10(hi)],
                     title=_("hours to first answer (log scale)"))
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    fig.update_yaxes(title=_("share of leads answered"), tickformat=".0%", range=[0, 1])
    return _finish(fig, _("Lead response: how soon leads hear from us"))


# Commitment (01)

SEGMENT_COLORS = {
    "entrenched": "#1B7837", "average": "#7FBF7B", "shallow": "#F1A340", "convertible": "#D7301F",
    "unscored": "#BBBBBB",
}


def _percent_axis() -> dict[str, str]:
    # Shares are drawn in percent with the locale's sign ("12 %" in Finnish, "12%" in English).
    return dict(ticksuffix=formatting.percent(0.0).replace("0", ""), tickformat=".0f")


def plot_score_distribution(scores: pd.DataFrame, thresholds: dict[str, float]) -> go.Figure:
    """Histogram of commitment scores coloured by segment, segment thresholds marked."""
    names = {s: segment_name(s) for s in SEGMENT_COLORS}
    fig = px.histogram(
        scores.assign(segment=scores["segment"].map(names)), x="commitment_score", color="segment", nbins=40,
        color_discrete_map={names[s]: c for s, c in SEGMENT_COLORS.items()},
        category_orders={"segment": list(names.values())},
        labels={"commitment_score": _("Commitment score"), "segment": _("Segment"), "count": _("Accounts")},
    )
    for trace in fig.data:  # px writes the bar height as "count"
        trace.hovertemplate = trace.hovertemplate.replace("count=", _("Accounts") + "=")
    for name, value in thresholds.items():
        fig.add_vline(x=value, line_dash="dash", line_color="#555", annotation_text=segment_name(name))
    fig.update_layout(bargap=0.05, xaxis_range=[0, 100])
    fig.update_yaxes(title=_("Accounts"))
    return _finish(fig, _("Commitment scores: where each segment begins"))


def plot_segments(table: pd.DataFrame) -> go.Figure:
    """Share of accounts and share of revenue per segment, side by side."""
    measures = {"account_share": _("Share of accounts"), "revenue_share": _("Share of revenue")}
    fig = go.Figure([
        go.Bar(x=[segment_name(s) for s in table["segment"]], y=100 * table[col], name=label,
               text=[formatting.percent(v) for v in table[col]],
               hovertemplate="%{x}: %{text}<extra>" + label + "</extra>")
        for col, label in measures.items() if table[col].notna().any()
    ])
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.08))
    fig.update_yaxes(title=_("Share of the portfolio"), rangemode="tozero", **_percent_axis())
    return _finish(fig, _("Segments: their share of accounts and of revenue"))


def plot_commitment_map(quadrants: pd.DataFrame, committed_at: float, value_split: float, *,
                        highlight: str | None = None) -> go.Figure:
    """Commitment × revenue scatter, coloured by the four quadrants; ``highlight`` (an
    account id) rings that account."""
    shown = thin(quadrants, by="quadrant", keep=quadrants["account_id"] == highlight)
    df = shown.assign(
        value=shown["revenue"].clip(lower=1), quadrant=shown["quadrant"].map(_),
        segment=shown["segment"].map(segment_name), revenue=[formatting.money(v) for v in shown["revenue"]],
    )
    fig = px.scatter(
        df, x="commitment_score", y="value", color="quadrant", log_y=True,
        render_mode="webgl" if len(shown) < len(quadrants) else "svg",
        category_orders={"quadrant": [_(q) for q in QUADRANTS.values()]},
        hover_name="name", hover_data={"account_id": True, "segment": True, "revenue": True, "value": False,
                                       "commitment_score": ":.0f", "quadrant": False},
        labels={"commitment_score": _("Commitment score"), "value": _("Revenue, last 12 months (log scale)"),
                "quadrant": _("Group"), "account_id": _("Account"), "segment": _("Segment"),
                "revenue": _("Revenue, last 12 months")},
    )
    fig.add_vline(x=committed_at, line_dash="dash", line_color="#555")
    # The value split is a trace: shapes on a log axis are placed unreliably (see above).
    fig.add_trace(go.Scatter(x=[0, 100], y=[max(value_split, 1)] * 2, mode="lines", showlegend=False,
                             line=dict(dash="dash", color="#555"), hoverinfo="skip"))
    fig.update_xaxes(range=[0, 100])
    chosen = quadrants[quadrants["account_id"] == highlight]
    if len(chosen) and pd.notna(chosen["commitment_score"].iloc[0]):
        r = chosen.iloc[0]
        _ring(fig, float(r["commitment_score"]), max(float(r["revenue"]), 1.0), str(r.get("name", highlight)))
    return _note_sample(_finish(fig, _("Commitment × revenue: who is committed, and how much they buy")),
                        len(shown), len(quadrants))


def plot_drivers(drivers: pd.DataFrame, title: str) -> go.Figure:
    """Points each indicator earned (dark) out of the points it could earn (light)."""
    d = drivers.iloc[::-1]
    names = [indicator_name(i) for i in d["indicator"]]
    fig = go.Figure([
        go.Bar(x=d["possible"], y=names, orientation="h", name=_("points possible"),
               marker_color="#DDDDDD", hovertemplate=_("%{y}: up to %{x:.1f} points") + "<extra></extra>"),
        go.Bar(x=d["points"], y=names, orientation="h", name=_("points earned"),
               marker_color="#4C78A8", text=[formatting.number(p, 1) for p in d["points"]],
               hovertemplate=_("%{y}: %{x:.1f} points") + "<extra></extra>"),
    ])
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", y=1.08),
                      xaxis_title=_("Points of the score (they add up to the score)"))
    return _finish(fig, title)


def plot_backtest(roc: pd.DataFrame, auc: dict[str, float], by_segment: pd.DataFrame) -> go.Figure:
    """ROC curves of the score and the baselines, and retention by segment."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("ROC: the score against the baselines"),
                                                        _("Kept buying, by segment")))
    for model, curve in roc.groupby("model", sort=False):
        label = _("{model} (AUC {auc})").format(model=model_name(model), auc=formatting.number(auc[model], 2))
        fig.add_trace(go.Scatter(x=curve["fpr"], y=curve["tpr"], mode="lines", name=label,
                                 hovertemplate="%{x:.2f}, %{y:.2f}"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="#999"),
                             name=_("chance"), showlegend=False, hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Bar(x=[segment_name(s) for s in by_segment["segment"]], y=100 * by_segment["retained_share"],
                         showlegend=False, name="",
                         marker_color=[SEGMENT_COLORS.get(s, "#999") for s in by_segment["segment"]],
                         text=[formatting.percent(v) for v in by_segment["retained_share"]],
                         hovertemplate="%{x}: %{text}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(title_text=_("False positive rate"), row=1, col=1)
    fig.update_yaxes(title_text=_("True positive rate"), row=1, col=1)
    fig.update_yaxes(range=[0, 100], row=1, col=2, **_percent_axis())
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return _finish(fig, _("Backtest: did the score at the cut-off predict who kept buying?"))


# Energy drain (02)

#: How the energy figures colour an account's standing (keys: :data:`workbench.energy.STANDINGS`,
#: catalogue messages shown through ``_``).
STANDING_COLORS = {"drop candidate": "#D62728", "kept: protected, young or committed": "#F2A900",
                   "high energy": "#4C78A8", "the rest": "#B8B8B8"}


def plot_energy_pareto(ranked: pd.DataFrame, share: float, names: pd.Series | None = None,
                       title: str | None = None, highlight: str | None = None) -> go.Figure:
    """Energy per account from most to least (bars) and its cumulative share (line).

    ``ranked`` is :attr:`workbench.energy.ParetoResult.ranked` (index account id, columns
    ``energy`` and ``cum_share``); the point where the line reaches ``share`` is marked.
    ``title`` is the headline (:meth:`workbench.energy.ParetoResult.headline`, which says
    whether the load is concentrated or spread); without it the title names the mark.
    ``highlight`` (an account id) rings that account's bar.
    """
    df = ranked.reset_index()
    df["rank"] = range(1, len(df) + 1)
    label = df["account_id"].map(names).fillna(df["account_id"]) if names is not None else df["account_id"]
    k = int((df["cum_share"] < share - 1e-12).sum()) + 1
    mark = ngettext("{n} account ({accounts}) carries {share}", "{n} accounts ({accounts}) carry {share}", k).format(
        n=formatting.number(k), accounts=formatting.percent(k / len(df)), share=formatting.percent(share))
    if len(df) <= MAX_BARS:
        bars = go.Bar(x=df["rank"], y=df["energy"], name=_("energy per account (h)"), marker_color="#4C78A8",
                      customdata=label, hovertemplate=_("#%{x} %{customdata}: %{y:.1f} energy h") + "<extra></extra>")
    else:
        # The heaviest accounts, the ones the reader looks for, keep a bar each; the long
        # tail becomes runs of neighbouring ranks, each as high as its mean.
        top = min(TOP_BARS, MAX_BARS // 2)
        tail = [r for r in np.array_split(np.arange(top, len(df)), MAX_BARS - top) if len(r)]
        starts = np.array([*range(top), *(int(r[0]) for r in tail)])
        sizes = np.diff(np.append(starts, len(df)))
        means = np.add.reduceat(df["energy"].to_numpy(dtype="float64"), starts) / sizes
        one = _("#%{x} %{customdata}: %{y:.1f} energy h") + "<extra></extra>"
        many = _("%{customdata}: %{y:.1f} energy h on average") + "<extra></extra>"
        bars = go.Bar(x=starts + (sizes - 1) / 2 + 1, y=means, width=sizes, name=_("energy per account (h)"),
                      marker_color="#4C78A8",
                      customdata=[label.iloc[a] if n == 1 else f"#{number(a + 1)}–{number(a + n)}"
                                  for a, n in zip(starts, sizes)],
                      hovertemplate=[one if n == 1 else many for n in sizes])
    line = df.iloc[_curve_rows(len(df), [k - 1])]
    fig = go.Figure([
        bars,
        go.Scatter(x=line["rank"], y=line["cum_share"], name=_("cumulative share"), yaxis="y2",
                   mode="lines", line=dict(color="#333333"),
                   hovertemplate=_("top %{x} accounts: %{y:.0%} of energy") + "<extra></extra>"),
        # The mark is a trace, not add_vline: shapes and their labels misplace on some axes.
        go.Scatter(x=[k, k, 0], y=[0, share, share], yaxis="y2", mode="lines+text",
                   line=dict(color="#D62728", dash="dash"),
                   name=_("{share} point").format(share=formatting.percent(share)),
                   text=["", mark, ""], textposition="top right", hoverinfo="name"),
    ])
    fig.update_layout(
        xaxis=dict(title=_("accounts, most energy first")),
        yaxis=dict(title=_("energy (weighted hours)")),
        yaxis2=dict(title=_("cumulative share of energy"), overlaying="y", side="right",
                    range=[0, 1.02], tickformat=".0%", dtick=0.2, showgrid=False),
        legend=dict(orientation="h", y=1.1), bargap=0,
    )
    chosen = df[df["account_id"] == highlight]
    if len(chosen):
        r = chosen.iloc[0]
        _ring(fig, int(r["rank"]), float(r["energy"]), str(label[chosen.index[0]]))
    fig = _finish(fig, title or mark)
    return fig.update_layout(margin=dict(_LAYOUT["margin"], r=80))


def plot_lorenz(lorenz: pd.DataFrame, gini: float) -> go.Figure:
    """Lorenz curve of energy over accounts, with the line of perfect equality."""
    lorenz = lorenz.iloc[_curve_rows(len(lorenz))]
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=_("every account the same"),
                   line=dict(color="#999999", dash="dot"), hoverinfo="skip"),
        go.Scatter(x=lorenz["account_share"], y=lorenz["value_share"], mode="lines", name=_("energy"),
                   fill="tonexty", line=dict(color="#4C78A8"),
                   hovertemplate=_("the lightest %{x:.0%} of accounts: %{y:.0%} of energy") + "<extra></extra>"),
    ])
    fig.update_xaxes(title=_("share of accounts, least energy first"), tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title=_("share of energy"), tickformat=".0%", range=[0, 1])
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    return _finish(fig, _("Lorenz curve of energy (Gini {gini}; 0 = all equal, 1 = one account has "
                          "all)").format(gini=formatting.number(gini, 2)))


def plot_inbound_heatmap(grid: pd.DataFrame, start_hour: float, end_hour: float, weekdays: tuple[int, ...]) -> go.Figure:
    """Inbound messages by weekday × hour; business hours outlined.

    ``grid`` is :func:`workbench.energy.inbound_heatmap` (Monday first); ``weekdays`` are
    ISO numbers of the working days, ``start_hour``/``end_hour`` the business day in local
    hours. The weekdays are named in the report's locale.
    """
    names = get_day_names("abbreviated", locale=locale())
    days = [names[i] for i in range(len(grid.index))]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=list(grid.columns), y=list(range(len(days))), colorscale="Blues",
        colorbar=dict(title=_("messages")), customdata=[[d] * grid.shape[1] for d in days],
        hovertemplate=_("%{customdata} %{x}:00–%{x}:59: %{z} inbound") + "<extra></extra>",
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
                             name=_("business hours"), hoverinfo="skip", showlegend=True))
    fig.update_yaxes(tickvals=list(range(len(days))), ticktext=days, autorange="reversed", title="")
    fig.update_xaxes(title=_("hour of the day (local time)"), dtick=2, range=[-0.5, 23.5])
    fig.update_layout(legend=dict(orientation="h", y=1.08), plot_bgcolor="white")
    return _finish(fig, _("When customers write: inbound messages by weekday and hour"))


def plot_whale_curve(curve: pd.DataFrame, peak_share: float, peak_account_share: float,
                     names: pd.Series | None = None, highlight: str | None = None) -> go.Figure:
    """Cumulative net value (share of total profit), accounts from most to least profitable.

    ``curve`` is :attr:`workbench.energy.WhaleCurve.curve`; the peak is marked, and
    ``highlight`` (an account id) rings where that account stands on the curve.
    """
    chosen = curve[curve["account_id"] == highlight]
    curve = curve.iloc[_curve_rows(len(curve), [int(np.argmax(curve["cum_share"].to_numpy()))] if len(curve) else [])]
    label = curve["account_id"].map(names).fillna(curve["account_id"]) if names is not None else curve["account_id"]
    fig = go.Figure([
        go.Scatter(x=curve["account_share"], y=curve["cum_share"], mode="lines", name=_("cumulative net value"),
                   line=dict(color="#4C78A8", width=3), customdata=label.fillna(""),
                   hovertemplate=_("best %{x:.0%} of accounts (to %{customdata}): %{y:.0%} of profit")
                   + "<extra></extra>"),
        go.Scatter(x=[0, 1], y=[1, 1], mode="lines",
                   name=_("total profit ({share})").format(share=formatting.percent(1.0)),
                   line=dict(color="#999999", dash="dot"), hoverinfo="name"),
        go.Scatter(x=[peak_account_share], y=[peak_share], mode="markers+text", name=_("peak"),
                   marker=dict(size=12, color="#D62728"),
                   text=[_("peak: best {accounts} earn {share}").format(
                       accounts=formatting.percent(peak_account_share), share=formatting.percent(peak_share))],
                   textposition="top center", hoverinfo="text"),
    ])
    # Room above the peak for its label; below zero when the curve dips under it.
    lo = min(0.0, float(curve["cum_share"].min()))
    fig.update_xaxes(title=_("share of accounts, most profitable first"), tickformat=".0%", range=[0, 1.01])
    fig.update_yaxes(title=_("cumulative net value, share of total profit"), tickformat=".0%",
                     range=[lo - 0.05, max(peak_share, 1.0) * 1.15])
    fig.update_layout(legend=dict(orientation="h", y=1.08))
    if len(chosen):
        r = chosen.iloc[0]
        _ring(fig, float(r["account_share"]), float(r["cum_share"]),
              str(names.get(highlight, highlight)) if names is not None else str(highlight))
    return _finish(fig, _("Whale curve: where the profit is made and given back"))


def plot_energy_vs_value(accounts: pd.DataFrame) -> go.Figure:
    """Energy (x) against net value (y) per account, coloured by standing, with hover details.

    ``accounts`` needs ``account_id, name, energy, net_value, standing`` (a key of
    :data:`STANDING_COLORS`) and ``hover`` (text shown on hover).
    """
    shown = thin(accounts, keep=accounts["standing"] == "drop candidate", by="standing")
    scatter = go.Scattergl if len(shown) < len(accounts) else go.Scatter
    fig = go.Figure()
    for standing, color in STANDING_COLORS.items():
        d = shown[shown["standing"] == standing]
        if d.empty:
            continue
        fig.add_trace(scatter(
            x=d["energy"], y=d["net_value"], mode="markers",
            name=_("{standing} ({n})").format(standing=_(standing),
                                              n=formatting.number(int((accounts["standing"] == standing).sum()))),
            marker=dict(color=color, size=9 if standing == "drop candidate" else 7,
                        line=dict(width=0.5, color="white")),
            text=d["hover"], hovertemplate="%{text}<extra></extra>",
        ))
    hi = float(accounts["energy"].max()) if len(accounts) else 1.0
    fig.add_trace(go.Scatter(x=[0, hi * 1.03], y=[0, 0], mode="lines", name=_("break-even"),
                             line=dict(color="#333333", dash="dot", width=1), hoverinfo="skip"))
    fig.update_xaxes(title=_("energy (weighted hours in the window)"), rangemode="tozero")
    fig.update_yaxes(title=_("net value {currency} (margin − cost to serve)").format(currency=_currency_symbol()))
    fig.update_layout(legend=dict(orientation="h", y=1.1))
    return _note_sample(_finish(fig, _("Energy against net value: bottom right is where energy drains")),
                        len(shown), len(accounts), candidates=True)


def _currency_symbol() -> str:
    """The symbol of the report's currency (``€``)."""
    return get_currency_symbol(currency(), locale=locale())


def plot_energy_parts(breakdown: pd.DataFrame, parts: dict[str, str], n: int = 20) -> go.Figure:
    """The ``n`` heaviest accounts' energy as stacked named parts (hours).

    ``parts`` maps part columns to plain labels (:data:`workbench.energy.PART_LABELS`,
    catalogue messages: they are shown translated).
    """
    top = breakdown.nlargest(n, "energy", keep="first").iloc[::-1]
    label = top["name"] if "name" in top else top["account_id"]
    fig = go.Figure([
        go.Bar(y=label, x=top[col], name=_(name), orientation="h",
               hovertemplate="%{y}: %{x:.1f} h " + _(name) + "<extra></extra>")
        for col, name in parts.items()
    ])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.08), height=max(420, 22 * n + 120),
                      xaxis=dict(title=_("energy (weighted hours)")))
    fig.update_yaxes(title="")
    fig.update_layout(title=ngettext("What the heaviest account's energy is made of",
                                     "What the {n} heaviest accounts' energy is made of", n).format(n=n),
                      template="plotly_white", margin=_LAYOUT["margin"], separators=_separators())
    return fig


def plot_what_if_waterfall(portfolio_margin: float, margin_lost: float, value_of_hours: float, n: int) -> go.Figure:
    """Portfolio margin before and after letting ``n`` accounts go, as a waterfall."""
    after = portfolio_margin - margin_lost + value_of_hours
    fig = go.Figure(go.Waterfall(
        x=[_("margin today"),
           ngettext("margin of the account lost", "margin of the {n} lost", n).format(n=n),
           _("freed hours put to work"), _("margin after")],
        y=[portfolio_margin, -margin_lost, value_of_hours, after],
        measure=["absolute", "relative", "relative", "total"],
        text=[money(v) for v in (portfolio_margin, -margin_lost, value_of_hours, after)],
        textposition="outside", connector=dict(line=dict(color="#999999")),
        decreasing=dict(marker_color="#D62728"), increasing=dict(marker_color="#54A24B"),
        totals=dict(marker_color="#4C78A8"),
    ))
    fig.update_yaxes(title=_("margin {currency} in the window").format(currency=_currency_symbol()),
                     rangemode="tozero")
    fig.update_layout(showlegend=False)
    return _finish(fig, ngettext("What-if: letting the candidate go",
                                 "What-if: letting the {n} candidates go", n).format(n=n))


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
    ("evening", N_("after hours (working days)"), dict(symbol="circle-open", size=15, color="#7B3294", line=dict(width=2))),
    ("off_day", N_("weekends and holidays"), dict(symbol="square-open", size=15, color="#D62728", line=dict(width=2))),
    ("chaser", N_("chaser"), dict(symbol="x-thin", size=12, color="#222222", line=dict(width=2.5))),
    ("complaint", N_("complaint"), dict(symbol="star-open", size=18, color="#8C510A", line=dict(width=1.5))),
)
_LANE_OFFSET = 0.18  # inbound sits above its channel's line, outbound below


def _timeline_hover(e: pd.DataFrame, local: pd.Series) -> list[str]:
    # The marks' own names, so the hover and the legend say the same thing.
    marks = dict((key, _(label)) for key, label, _marker in TIMELINE_MARKS)
    texts = []
    for i, (_row, r) in enumerate(e.iterrows()):
        who = _("from the customer") if r["direction"] == "in" else _("from us")
        channel = _(CHANNEL_NAMES[r["channel"]]) if r["channel"] in CHANNEL_NAMES else str(r["channel"])
        bits = [formatting.moment(local.iloc[i]), f"{channel}, {who}"]
        if pd.notna(r.get("effort_minutes")):
            by = f", {r['handled_by']}" if isinstance(r.get("handled_by"), str) else ""
            minutes = float(r["effort_minutes"])
            bits.append(_("{minutes} min").format(minutes=number(minutes, 0 if minutes.is_integer() else 1)) + by)
        off_day = r.get("off_day") == 1
        on = {"evening": r.get("after_hours") == 1 and not off_day, "off_day": off_day,
              "chaser": r.get("chaser") == 1, "complaint": r.get("complaint") == 1}
        if any(on.values()):
            bits.append(", ".join(marks[k] for k, v in on.items() if v))
        if pd.notna(r.get("response_hours")):
            bits.append(_("our answer, {hours} h after they first wrote").format(hours=number(r["response_hours"], 1)))
        texts.append("<br>".join(bits))
    return texts


def plot_account_timeline(events: pd.DataFrame, timezone: str, *, title: str = "Interactions over time",
                          start: object = None, end: object = None, invoices: pd.DataFrame | None = None,
                          surveys: pd.DataFrame | None = None) -> go.Figure:
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
    ``invoices`` (``date, amount``, optionally ``service``) and ``surveys`` (``date,
    score``) of the same account add a line each below the channels: what it bought and
    what it said, against how it behaved.
    """
    fig = go.Figure()
    rng = [pd.Timestamp(x) for x in (start, end)] if start is not None and end is not None else None
    extra = [(_("invoices"), f) for f in (invoices,) if f is not None and len(f)] + \
            [(_("surveys"), f) for f in (surveys,) if f is not None and len(f)]
    if events.empty and not extra:
        fig.add_annotation(text=_("No interactions in the window"), x=0.5, y=0.5, xref="paper", yref="paper",
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
    y = e["channel"].map(row).astype("float64") + inbound.map({True: -_LANE_OFFSET, False: _LANE_OFFSET})
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
            x=local[pick], y=y[pick], mode="markers", name=f"{_(label)} ({number(int(pick.sum()))})", marker=marker,
            hoverinfo="skip",
        ))
    # Two legend-only keys for the fill: which messages are the customer's, which ours.
    for label, symbol in ((_("from the customer"), "circle"), (_("from us"), "circle-open")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label, hoverinfo="skip",
                                 marker=dict(symbol=symbol, size=8, color="#555555", line=dict(width=1.5))))
    lanes = list(channels)
    for lane, frame in extra:
        when = pd.to_datetime(frame["date"])
        if lane == _("invoices"):
            what = frame.get("service", pd.Series("", index=frame.index)).fillna("")
            text = [f"{formatting.date(d)}: {money(a)} {w}".strip() for d, a, w in zip(when, frame["amount"], what)]
            marker = dict(symbol="square", size=9, color=np.where(frame["amount"] < 0, "#D62728", "#2CA02C"))
            labels = None
        else:
            text = [f"{formatting.date(d)}: {number(v, 1)}" for d, v in zip(when, frame["score"])]
            marker = dict(symbol="diamond", size=11, color="#9467BD")
            labels = [number(v, 0) for v in frame["score"]]
        fig.add_trace(go.Scatter(x=when, y=[len(lanes)] * len(frame), mode="markers+text" if labels else "markers",
                                 marker=marker, text=labels, textposition="top center", hovertext=text,
                                 hoverinfo="text", showlegend=False, name=lane))
        lanes.append(lane)
    shown = [_(CHANNEL_NAMES[x]) if x in CHANNEL_NAMES else x for x in lanes]
    fig.update_yaxes(tickvals=list(range(len(lanes))), ticktext=shown, range=[len(lanes) - 0.5, -0.5],
                     title="", showgrid=True, zeroline=False)
    fig.update_xaxes(type="date", range=rng, title="")
    fig = _finish(fig, title)
    return fig.update_layout(height=max(320, 60 * len(lanes) + 190), hovermode="closest",
                             legend=dict(orientation="h", x=0, y=-0.08, yanchor="top"))


def plot_commitment_vs_energy(accounts: pd.DataFrame, committed_at: float, *, tiers: list[str] | None = None,
                              labels: dict[str, str] | None = None, highlight: str | None = None,
                              selected: object = None) -> go.Figure:
    """Commitment score (x) against energy (y), one point per account coloured by tier.

    ``accounts`` is :func:`workbench.explore.account_table` (``account_id, name, tier,
    segment, commitment_score, energy, net_value, drop_candidate``, optionally
    ``high_energy``: the dotted line is where the high-energy set begins); ``tiers``
    orders the colours as :func:`plot_tiers` does (the plan's tier order) and ``labels``
    names them as the report does (tier → name shown). ``highlight`` rings one account and
    names it; ``selected`` (account ids) keeps those bright and
    fades the rest. Unscored accounts (no commitment score) cannot be placed and are left out.
    """
    scored = accounts[accounts["commitment_score"].notna()]
    counts = scored["tier"].value_counts()
    always = scored["account_id"].isin(list(selected) if selected is not None else []) | (scored["account_id"] == highlight)
    df = thin(scored, by="tier", keep=scored["drop_candidate"].fillna(False).astype(bool) | always)
    scatter = go.Scattergl if len(df) < len(scored) else go.Scatter
    order = list(tiers) if tiers is not None else list(dict.fromkeys(accounts["tier"]))
    keep = set(df["account_id"] if selected is None else selected)
    labels = labels or {}
    name = df["name"] if "name" in df else df["account_id"]
    hover = pd.Series([
        _("<b>{name}</b> ({account})<br>tier {tier}, {segment}<br>commitment {score}, energy {energy}, "
          "net value {value}").format(name=n, account=a, tier=labels.get(t, t), segment=segment_name(s), score=number(c),
                                       energy=hours(en, 1), value=money(v) if pd.notna(v) else _("unknown"))
        for n, a, t, s, c, en, v in zip(name, df["account_id"], df["tier"], df["segment"], df["commitment_score"],
                                        df["energy"], df["net_value"])
    ], index=df.index)
    fig = go.Figure()
    for i, t in enumerate(order):
        d = df[df["tier"] == t]
        if d.empty:
            continue
        fig.add_trace(scatter(
            x=d["commitment_score"], y=d["energy"], mode="markers", name=f"{labels.get(t, t)} ({number(counts.get(t, 0))})",
            marker=dict(color=_TIER_COLORS[i % len(_TIER_COLORS)], size=8, line=dict(width=0.5, color="white"),
                        opacity=[0.9 if a in keep else 0.2 for a in d["account_id"]]),
            text=hover[d.index], hovertemplate="%{text}<extra></extra>",
        ))
    cand = df[df["drop_candidate"].fillna(False).astype(bool)]
    if len(cand):
        fig.add_trace(go.Scatter(
            x=cand["commitment_score"], y=cand["energy"], mode="markers", name=_("drop candidate ({n})").format(n=number(len(cand))),
            marker=dict(symbol="diamond-open", size=13, color="#333333", line=dict(width=1.5)), hoverinfo="skip",
        ))
    top = float(df["energy"].max()) if len(df) else 1.0
    fig.add_trace(go.Scatter(x=[committed_at, committed_at], y=[0, top * 1.05], mode="lines",
                             name=_("committed from {score}").format(score=number(committed_at)), line=dict(color="#555555", dash="dash"),
                             hoverinfo="skip"))
    high = accounts.loc[accounts["high_energy"].fillna(False).astype(bool), "energy"] \
        if "high_energy" in accounts else pd.Series(dtype="float64")
    if len(high):
        high_energy_from = float(high.min())
        fig.add_trace(go.Scatter(x=[0, 100], y=[high_energy_from] * 2, mode="lines",
                                 name=_("high-energy set from {energy}").format(energy=hours(high_energy_from, 1)),
                                 line=dict(color="#D62728", dash="dot"), hoverinfo="skip"))
    chosen = df[df["account_id"] == highlight] if highlight is not None else df.iloc[:0]
    if len(chosen):
        label = str(chosen["name"].iloc[0]) if "name" in chosen else str(highlight)
        _ring(fig, float(chosen["commitment_score"].iloc[0]), float(chosen["energy"].iloc[0]), label,
              hover[chosen.index[0]])
    fig.update_xaxes(title=_("Commitment score"), range=[0, 100])
    fig.update_yaxes(title=_("energy (weighted hours in the window)"), rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=-0.15))
    fig = _finish(fig, _("Commitment against energy: top left drains without loyalty, top right is loyal but "
                         "demanding"))
    return _note_sample(fig.update_layout(height=540), len(df), len(scored), candidates=True)
