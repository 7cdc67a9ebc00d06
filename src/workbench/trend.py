"""A client's runs over time (``workbench history``): is the plan working?

The headline figures of every finished run of a client, by analysis date, with a line on
the day the plan was adopted (``report.plan_adopted``) so the months before and after can
be read off; and the accounts whose behaviour changed most between the first run and the
latest. Only what the runs recorded is read (``summary.json`` and ``accounts.csv``, via
:mod:`workbench.compare`): a run made before a figure was recorded shows a gap there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .compare import (
    HEADLINES, Snapshot, compare_runs, figure_text, figure_html, html_page, html_table, paragraphs, read_run,
    write_files,
)
from .exceptions import InputError, WorkbenchError
from .formatting import plural
from .history import list_runs

#: The figure's panels: a title and the headline figures drawn in it.
PANELS = (
    ("customers", ("customers", "active_customers", "new_customers")),
    ("committed share of customers", ("committed_share",)),
    ("drop candidates", ("drop_candidates",)),
    ("energy hours", ("energy_hours",)),
    ("after hours or on days off, and chasers, per month", ("after_hours_per_month", "chasers_per_month")),
    ("net value after the cost to serve", ("net_value",)),
    ("answered within the tier's promise", ("answered_within_promise",)),
    ("leads answered within the promise", ("leads_within_promise",)),
)
_LABELS = {f.key: f.label for f in HEADLINES}
#: Names of lines that share a panel, written at their last point.
_SHORT = {"customers": "all", "active_customers": "active", "new_customers": "new",
          "after_hours_per_month": "after hours", "chasers_per_month": "chasers",
          "answered_within_promise": "all tiers"}
_KINDS = {f.key: f.kind for f in HEADLINES}
#: A column per tier: the share of its customers' messages answered within its promise.
TIER_PREFIX = "within_promise: "


@dataclass(frozen=True)
class History:
    """A client's runs, one row each, and the accounts that changed most.

    Attributes
    ----------
    client : str
        The client's name, as its latest run records it.
    folder : Path
        The client's report folder.
    runs : pandas.DataFrame
        One row per analysis date (the latest run of a date that was run more than once):
        ``run_id``, ``as_of``, the :data:`~workbench.compare.HEADLINES` and one
        ``within_promise: <tier>`` column per tier.
    movers : pandas.DataFrame or None
        Accounts in both the first and the latest run (as
        :func:`workbench.compare.account_movements` gives them), the largest change in
        energy first; ``None`` with a single run.
    plan_adopted : date or None
        The day the plan was adopted, when known.
    notes : list of str
        Runs left out and why.
    """

    client: str
    folder: Path
    runs: pd.DataFrame
    movers: pd.DataFrame | None
    plan_adopted: dt.date | None
    notes: list[str]

    @property
    def name(self) -> str:
        """The files' common name: ``<client folder>_trend``."""
        return f"{self.folder.name}_trend"

    def sentences(self) -> list[str]:
        """What the history shows, in plain sentences."""
        first, last = self.runs.iloc[0], self.runs.iloc[-1]
        out = [f"{plural(len(self.runs), 'run')} of {self.client}, from {first['as_of']} to {last['as_of']}."]
        if self.plan_adopted is None:
            out.append("No plan adoption date is set (report.plan_adopted in the params, or --plan-adopted), "
                       "so no line marks it.")
        else:
            before = int((self.runs["as_of"] < self.plan_adopted).sum())
            out.append(f"The plan was adopted on {self.plan_adopted} (the dashed line): "
                       f"{plural(before, 'run')} before it, {plural(len(self.runs) - before, 'run')} on or after it.")
        out.append("The per-month figures are averages over the twelve months before each run's date, so a change "
                   "in behaviour shows in them gradually.")
        return out + self.notes

    def table(self) -> pd.DataFrame:
        """The figures (rows) run by run (a column per analysis date), written for people."""
        cols = self.runs.columns[2:]
        out = pd.DataFrame({"figure": [_LABELS.get(c, c.replace(TIER_PREFIX, "answered within the promise, tier "))
                                       for c in cols]})
        for _, run in self.runs.iterrows():
            out[str(run["as_of"])] = [figure_text(run[c], _KINDS.get(c, "share")) for c in cols]
        return out


def client_folder(target: str, reports: Path) -> Path:
    """The report folder of a client named by its folder or by its name there (its slug).

    Raises
    ------
    InputError
        When it is neither, or is a run folder rather than a client's.

    Examples
    --------
    >>> client_folder("sample", Path("reports"))  # doctest: +SKIP
    PosixPath('reports/sample')
    """
    path = Path(target)
    folder = path if path.is_dir() else reports / target
    if not folder.is_dir():
        raise InputError(target, f"no such folder, and no client of that name in {reports}",
                         f"give a client's report folder ({reports}/<client>) or the name it has there")
    if (folder / "summary.json").is_file():
        raise InputError(str(folder), "this is one run, not a client's folder of runs",
                         f"give the folder it is in: {folder.parent}")
    return folder


def client_history(folder: Path, plan_adopted: dt.date | None = None) -> History:
    """Read every finished run in a client's report folder.

    Parameters
    ----------
    folder : Path
        ``reports/<client>``.
    plan_adopted : date, optional
        The day the plan was adopted; default: ``report.plan_adopted`` of the latest run.

    Raises
    ------
    InputError
        When the folder holds no finished run that can be read.

    Examples
    --------
    >>> h = client_history(Path("reports/sample"))  # doctest: +SKIP
    >>> h.runs[["as_of", "drop_candidates"]]  # doctest: +SKIP
    """
    notes: list[str] = []
    snapshots: list[Snapshot] = []
    for run in list_runs(folder):
        try:
            snapshots.append(read_run(run.path))
        except WorkbenchError as e:
            notes.append(f"Left out: {e}")
    if not snapshots:
        raise InputError(str(folder), "holds no finished run that can be read" + (f" ({notes[0]})" if notes else ""),
                         "give the folder of a client's runs (reports/<client>), made by workbench run")
    last = snapshots[-1]
    others = [s for s in snapshots if s.client != last.client]
    if others:
        notes.append(f"Left out {plural(len(others), 'run')} of another client ({others[0].client}).")
    snapshots = _latest_per_date([s for s in snapshots if s.client == last.client], notes)
    adopted = plan_adopted or _adopted(last)
    return History(
        client=last.client, folder=folder, runs=_runs_table(snapshots), movers=_movers(snapshots, notes),
        plan_adopted=adopted, notes=notes,
    )


def _latest_per_date(snapshots: list[Snapshot], notes: list[str]) -> list[Snapshot]:
    """One run per analysis date: a rerun of a date corrects it."""
    latest = {s.as_of: s for s in snapshots}  # sorted by date, then as they ran: the last one wins
    if len(latest) < len(snapshots):
        notes.append(f"{plural(len(snapshots) - len(latest), 'run')} of a date run again later "
                     "left out: the latest run of each date counts.")
    return list(latest.values())


def _adopted(run: Snapshot) -> dt.date | None:
    value = run.params.get("report", {}).get("plan_adopted")
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _runs_table(snapshots: list[Snapshot]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    tiers: list[str] = []
    for s in snapshots:
        tiers += [t for t in [*s.tiers, *s.compliance()] if t not in tiers]
    for s in snapshots:
        compliance = s.compliance()
        rows.append({"run_id": s.run_id, "as_of": s.as_of, **s.headline(),
                     **{f"{TIER_PREFIX}{t}": compliance.get(t) for t in tiers}})
    return pd.DataFrame(rows)


def _movers(snapshots: list[Snapshot], notes: list[str]) -> pd.DataFrame | None:
    """Accounts in the first and the latest run, the largest change in energy first.

    The first run made alike with the latest (both pseudonymized or neither) is used: a
    pseudonymized run's accounts cannot be matched with a plain one's.
    """
    last = snapshots[-1]
    alike = [s for s in snapshots if s.pseudonymized == last.pseudonymized]
    if len(alike) < 2:
        return None
    try:
        moves = compare_runs(alike[0], last).accounts
    except InputError as e:
        notes.append(f"The accounts that changed most cannot be named: {e}")
        return None
    both = moves[moves["presence"] == "both"]
    return both.reindex(both["energy_change"].abs().sort_values(ascending=False, na_position="last").index)


def trend_figure(h: History) -> go.Figure:
    """The headline figures per run (analysis date across), one panel each, with a dashed
    line on the day the plan was adopted.

    Examples
    --------
    >>> trend_figure(client_history(Path("reports/sample"))).layout.title.text  # doctest: +SKIP
    'Sample: the figures run by run'
    """
    fig = make_subplots(rows=4, cols=2, subplot_titles=[t for t, _ in PANELS], vertical_spacing=0.08)
    x = pd.to_datetime(h.runs["as_of"])
    for i, (_, keys) in enumerate(PANELS):
        row, col = i // 2 + 1, i % 2 + 1
        lines = [(key, _SHORT.get(key, _LABELS[key]), _KINDS[key]) for key in keys]
        if keys == ("answered_within_promise",):
            lines += [(c, c.removeprefix(TIER_PREFIX), "share") for c in h.runs.columns if c.startswith(TIER_PREFIX)]
        for key, name, kind in lines:
            # Several lines in a panel are named at their last point: a legend for eight panels
            # would not say which panel a name belongs to.
            width = 3 if key == "answered_within_promise" else 2 if key in _LABELS else 1
            fig.add_trace(_line(x, h.runs[key], name, kind, labelled=len(lines) > 1, width=width), row, col)
        if _KINDS[keys[0]] == "share":
            fig.update_yaxes(tickformat=".1%", row=row, col=col)
    if h.plan_adopted is not None:
        fig.add_vline(x=pd.Timestamp(h.plan_adopted).timestamp() * 1000, line_dash="dash", line_color="#333",
                      row="all", col="all")
    title = f"{h.client}: the figures run by run" + (f" (plan adopted {h.plan_adopted})" if h.plan_adopted else "")
    return fig.update_layout(title=title, template="plotly_white", height=1300, showlegend=False,
                             margin=dict(l=60, r=30, t=90, b=40), hovermode="x unified")


def _line(x: pd.Series, y: pd.Series, name: str, kind: str, *, labelled: bool, width: int) -> go.Scatter:
    label = [""] * (len(y) - 1) + [name] if labelled else None
    return go.Scatter(x=x, y=pd.to_numeric(y, errors="coerce"), name=name, line=dict(width=width),
                      mode="lines+markers+text" if labelled else "lines+markers", text=label,
                      textposition="top left", textfont=dict(size=10),
                      customdata=[figure_text(v, kind) for v in y],
                      hovertemplate=f"{name}: %{{customdata}}<extra></extra>")


def history_html(h: History) -> str:
    """The history as one HTML page that opens with no network (plotly.js inline)."""
    sections = [paragraphs(h.sentences()), figure_html(trend_figure(h)), "<h2>Run by run</h2>",
                html_table(h.table())]
    if h.plan_adopted is not None:
        sections += _before_after(h)
    if h.movers is not None and len(h.movers):
        first, last = h.runs.iloc[0]["as_of"], h.runs.iloc[-1]["as_of"]
        score = h.movers.reindex(h.movers["commitment_score_change"].abs().sort_values(ascending=False).index)
        sections += [f"<h2>The accounts whose behaviour changed most, {first} → {last}</h2>",
                     paragraphs(["The largest changes in energy (the strain an account puts on the team):"]),
                     html_table(_movers_table(h.movers.head(10)), text_columns=4),
                     paragraphs(["The largest changes in commitment score:"]),
                     html_table(_movers_table(score.head(10)), text_columns=4)]
    return html_page(f"History: {h.client}", sections)


def _before_after(h: History) -> list[str]:
    before = h.runs[h.runs["as_of"] < h.plan_adopted]
    after = h.runs[h.runs["as_of"] >= h.plan_adopted]
    if before.empty or after.empty:
        return []
    b, a = before.iloc[-1], after.iloc[-1]
    rows = [{"figure": f.label, f"before the plan ({b['as_of']})": figure_text(b[f.key], f.kind),
             f"latest ({a['as_of']})": figure_text(a[f.key], f.kind),
             "change": figure_text(pd.to_numeric(a[f.key]) - pd.to_numeric(b[f.key])
                            if pd.notna(a[f.key]) and pd.notna(b[f.key]) else None, f.kind, signed=True)}
            for f in HEADLINES]
    return ["<h2>Before and after the plan</h2>",
            paragraphs(["The last run before the plan was adopted against the latest run."]),
            html_table(pd.DataFrame(rows))]


def _movers_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "account": rows["account_id"], "name": rows["name"],
        "tier then": rows["tier_before"], "tier now": rows["tier_after"],
        "energy then": [figure_text(v, "hours") for v in rows["energy_before"]],
        "energy now": [figure_text(v, "hours") for v in rows["energy_after"]],
        "score then": [figure_text(v, "rate") for v in rows["commitment_score_before"]],
        "score now": [figure_text(v, "rate") for v in rows["commitment_score_after"]],
    })


def write_history(h: History, out: Path) -> list[Path]:
    """Write ``<client>_trend.html``, ``<client>_trend.csv`` (a row per run) and, with two
    runs or more, ``<client>_movers.csv`` into ``out``.

    Raises
    ------
    OutputError
        When ``out`` cannot be written.

    Examples
    --------
    >>> write_history(h, Path("reports/sample/history"))  # doctest: +SKIP
    [PosixPath('reports/sample/history/sample_trend.html'), ...]
    """
    files = {
        f"{h.name}.html": lambda p: p.write_text(history_html(h), encoding="utf-8"),
        f"{h.name}.csv": lambda p: h.runs.to_csv(p, index=False, encoding="utf-8"),
    }
    if h.movers is not None:
        files[f"{h.folder.name}_movers.csv"] = lambda p: h.movers.to_csv(p, index=False, encoding="utf-8")
    return write_files(out, files)
