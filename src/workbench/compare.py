"""What changed between two runs of a client: ``workbench compare`` and the overview's
"since the last run" section.

A comparison reads only what runs record -- ``summary.json`` (headline figures, params,
input checksums) and ``accounts.csv`` (one row per account) -- so any two finished runs of a
client compare: a month apart, or the same month with other params or data, which the
comparison then names. Accounts are matched by id. A renamed account is the same account
under its new name; an id that changed in the client's system is an account gone and one
new, and the comparison points out such pairs that share a name.

Pseudonymized runs name accounts by keyed codes. Two of them compare when they were made
with the same key (same key, same codes); a pseudonymized run and a plain one cannot be
matched at all, and are refused rather than reported as a portfolio that changed
completely.

The files a comparison writes go into the client's ``compare/`` folder, never into a run:
a run folder holds what that run made and nothing else, so its files can be trusted as
the run's record (and ``report.keep_runs`` pruning a run never takes a comparison with it).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .exceptions import InputError, OutputError, WorkbenchError
from . import formatting
from .formatting import number, plural
from .i18n import N_, _, ngettext
from .history import STAGING_FOLDER, list_runs, run_folder

if TYPE_CHECKING:
    from .analysis import Analysis
    from .kpis import RelationshipKpis

#: Columns of ``accounts.csv`` a comparison reads; any may be missing (a run without
#: notebook 03 has no tiers) and the comparison then says what it could not compare.
ACCOUNT_COLUMNS = (
    "account_id", "name", "tier", "segment", "committed", "commitment_score", "drop_candidate",
    "energy", "net_value", "response_hours_median", "after_hours_inbound", "off_day_inbound",
    "chasers", "tenure_days", "recency_days",
)
_FLAGS = ("committed", "drop_candidate")
_NUMBERS = ("commitment_score", "energy", "net_value", "response_hours_median")
#: Params that say how a run was made, not what it found, so never "params that differ": the
#: date is what a comparison moves along, the report's settings are where it went and how long
#: it may take, and the data folder is where the files were (the input checksums say whether
#: the data differ; a run's own record holds the folder as given, its notebooks as resolved).
_NOT_COMPARED = ("as_of", "report.", "data.dir")
_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Figure:
    """A headline figure: its key in the record, what a reader calls it, how it is written."""

    key: str
    label: str
    kind: str  # count, share, hours, money or rate (a count per month)


HEADLINES = (
    Figure("customers", N_("customers"), "count"),
    Figure("active_customers", N_("active customers (contact or an invoice in the last year)"), "count"),
    Figure("new_customers", N_("new customers (began within the last year)"), "count"),
    Figure("committed_share", N_("committed share of customers"), "share"),
    Figure("drop_candidates", N_("drop candidates"), "count"),
    Figure("energy_hours", N_("energy hours"), "hours"),
    Figure("net_value", N_("net value after the cost to serve"), "money"),
    Figure("after_hours_per_month", N_("customer messages after hours or on days off, per month"), "rate"),
    Figure("chasers_per_month", N_("chasers per month"), "rate"),
    Figure("answered_within_promise", N_("customer messages answered within their tier's promise"), "share"),
    Figure("leads_within_promise", N_("leads answered within the promise"), "share"),
    Figure("lead_median_hours", N_("median hours to a lead's first answer"), "hours"),
)


@dataclass(frozen=True)
class Snapshot:
    """One run as its record shows it.

    Attributes
    ----------
    run_id : str
        The run's id (its folder's name).
    where : str
        The run folder, as messages name it.
    client : str
        The client's name.
    as_of : date
        The analysis date.
    params : dict
        The params the run used (as ``summary.json`` holds them).
    inputs : dict
        ``{"table:file": sha256}`` of the input files.
    notebooks : dict
        Each notebook's headline figures.
    accounts : pandas.DataFrame
        :data:`ACCOUNT_COLUMNS` that the run has, one row per account, ids as text.
    notes : list of str
        The loader's notes on the data.
    """

    run_id: str
    where: str
    client: str
    as_of: dt.date
    params: dict[str, Any]
    inputs: dict[str, str]
    notebooks: dict[str, Any]
    accounts: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def pseudonymized(self) -> bool:
        return bool(self.params.get("report", {}).get("pseudonymize"))

    @property
    def tiers(self) -> list[str]:
        """The tiers in the order the params list them."""
        return [t["name"] for t in self.params.get("plan", {}).get("tiers", []) if "name" in t]

    @property
    def order(self) -> tuple[dt.date, str, int]:
        """Sorts by analysis date, then by when the runs ran."""
        run = run_folder(Path(self.run_id))
        return run.order if run else (self.as_of, "", 0)

    def has(self, column: str) -> bool:
        return column in self.accounts and bool(self.accounts[column].notna().any())

    def headline(self) -> dict[str, float | None]:
        """:data:`HEADLINES` for this run; ``None`` where the run did not record it.

        Examples
        --------
        >>> s = Snapshot("2026-11-01_20261102T060001", "r", "Acme", dt.date(2026, 11, 1), {}, {},
        ...              {"00_overview": {"customers": 2}},
        ...              pd.DataFrame({"account_id": ["A", "B"], "energy": [1.5, 2.0]}))
        >>> h = s.headline()
        >>> h["customers"], h["energy_hours"], h["drop_candidates"]
        (2, 3.5, None)
        """
        kpis = self.notebooks.get("00_overview", {})
        leads = kpis.get("leads") or {}
        months = kpis.get("window_days", 365) / _DAYS_PER_MONTH
        acc = self.accounts
        return {
            "customers": kpis.get("customers", len(acc)),
            "active_customers": kpis.get("active_customers"),
            "new_customers": kpis.get("new_customers"),
            "committed_share": float(acc["committed"].mean()) if self.has("committed") else None,
            "drop_candidates": int(acc["drop_candidate"].sum()) if self.has("drop_candidate") else None,
            "energy_hours": _total(acc, "energy"),
            "net_value": _total(acc, "net_value"),
            "after_hours_per_month": _per_month(acc, ("after_hours_inbound", "off_day_inbound"), months),
            "chasers_per_month": _per_month(acc, ("chasers",), months),
            "answered_within_promise": _overall_compliance(self.compliance_runs()),
            "leads_within_promise": leads.get("within_promise_share"),
            "lead_median_hours": leads.get("median_hours"),
        }

    def compliance(self) -> dict[str, float | None]:
        """Each tier's share of customer messages answered within its promise."""
        return {tier: share for tier, (share, _runs) in self.compliance_runs().items()}

    def compliance_runs(self) -> dict[str, tuple[float | None, int]]:
        """Each tier's share answered within its promise, and the runs of messages judged."""
        measured = self.notebooks.get("03_communication_plan", {}).get("response_compliance") or {}
        return {t: (r.get("within_promise_share"), int(r.get("runs") or 0)) for t, r in measured.items()}


def _total(acc: pd.DataFrame, column: str) -> float | None:
    # min_count: a run that could not value any account has an unknown total, not 0.
    if column not in acc:
        return None
    total = acc[column].sum(min_count=1)
    return None if pd.isna(total) else round(float(total), 2)


def _per_month(acc: pd.DataFrame, columns: tuple[str, ...], months: float) -> float | None:
    if not all(c in acc for c in columns) or not months:
        return None
    return round(float(sum(acc[c].fillna(0).sum() for c in columns)) / months, 1)


def _overall_compliance(by_tier: dict[str, tuple[float | None, int]]) -> float | None:
    """All tiers together: each tier's share weighted by the messages it judged."""
    judged = [(share, runs) for share, runs in by_tier.values() if share is not None and runs]
    total = sum(runs for _share, runs in judged)
    return round(sum(share * runs for share, runs in judged) / total, 4) if total else None


def read_run(folder: str | Path) -> Snapshot:
    """Read a finished run's record.

    Parameters
    ----------
    folder : str or Path
        A run folder, ``reports/<client>/<run-id>``.

    Raises
    ------
    InputError
        One line naming the folder or file and the fix: no such folder, a failed run or
        one still being built, a missing or damaged ``summary.json`` or ``accounts.csv``.

    Examples
    --------
    >>> read_run("reports/sample/2026-11-01_20261102T060001")  # doctest: +SKIP
    Snapshot(run_id='2026-11-01_20261102T060001', ...)
    """
    path = Path(folder)
    run = run_folder(path)
    again = f"workbench run --as-of {run.as_of}" if run else "workbench run --as-of <its date>"
    if not path.is_dir():
        raise InputError(str(path), "no such run folder", "give the path of a run folder, e.g. "
                         "reports/<client>/2026-11-01_20261102T060001")
    if run and run.failed:
        raise InputError(str(path), "this run failed, so it recorded no results",
                         "compare finished runs (folders without -failed); its run.log says what went wrong")
    if STAGING_FOLDER.fullmatch(path.name):
        raise InputError(str(path), "this run is still being built, or was cut short",
                         "compare finished runs, whose folders are named <as-of>_<time> without a leading dot")
    summary = _read_summary(path / "summary.json", again)
    accounts = _read_accounts(path / "accounts.csv", again)
    return snapshot(summary, accounts, where=str(path), file=str(path / "summary.json"))


def _read_summary(file: Path, again: str) -> dict[str, Any]:
    fix = f"this run's record is lost or damaged: make that month again ({again})"
    try:
        summary = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(file), "missing, so this folder is no finished run", fix) from None
    except json.JSONDecodeError as e:
        raise InputError(str(file), f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})", fix) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(file), f"cannot be read ({getattr(e, 'strerror', None) or e})", fix) from None
    if not isinstance(summary, dict):
        raise InputError(str(file), "holds no run record (not a JSON object)", fix)
    return summary


def _read_accounts(file: Path, again: str) -> pd.DataFrame:
    fix = f"this run's record is lost or damaged: make that month again ({again})"
    try:
        head = pd.read_csv(file, nrows=0, encoding="utf-8")
        wanted = [c for c in ACCOUNT_COLUMNS if c in head.columns]
        # Ids and names stay text: a code like 1E5 or an id like 007 must not become a number.
        acc = pd.read_csv(file, usecols=wanted, dtype={"account_id": str, "name": str}, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(file), "missing, so the run's accounts cannot be compared", fix) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as e:
        raise InputError(str(file), f"cannot be read as a table ({str(e).strip().splitlines()[0]})", fix) from None
    if "account_id" not in acc:
        raise InputError(str(file), "has no account_id column", fix, column="account_id")
    return acc


def snapshot(summary: dict[str, Any], accounts: pd.DataFrame, *, where: str, file: str) -> Snapshot:
    """A run's record as a :class:`Snapshot`, from its summary and accounts table.

    Raises
    ------
    InputError
        When the summary lacks the run's id, client or date (``file`` names it).
    """
    missing = [k for k in ("run_id", "client", "as_of") if not summary.get(k)]
    if missing:
        raise InputError(file, f"lacks {', '.join(missing)}, so it is no run record",
                         "compare folders made by workbench run")
    try:
        day = dt.date.fromisoformat(str(summary["as_of"]))
    except ValueError:
        raise InputError(file, f"as_of {summary['as_of']!r} is not a date",
                         "compare folders made by workbench run") from None
    acc = accounts[[c for c in ACCOUNT_COLUMNS if c in accounts]].copy()
    acc["account_id"] = acc["account_id"].astype(str)
    for c in _FLAGS:
        if c in acc:
            acc[c] = acc[c].map(_flag).astype("boolean")
    return Snapshot(
        run_id=str(summary["run_id"]), where=where, client=str(summary["client"]), as_of=day,
        params=summary.get("params") or {}, inputs=summary.get("inputs") or {},
        notebooks=summary.get("notebooks") or {}, accounts=acc, notes=list(summary.get("data_notes") or []),
    )


def _flag(v: object) -> bool | None:
    if isinstance(v, str):
        return {"true": True, "false": False}.get(v.strip().lower())
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)


@dataclass(frozen=True)
class Comparison:
    """The movements between an earlier and a later run of one client.

    Attributes
    ----------
    earlier, later : Snapshot
        The two runs, by analysis date (then by when they ran).
    accounts : pandas.DataFrame
        One row per account in either run: presence (``both``, ``new``, ``gone``), each
        side's tier, segment, drop candidacy, commitment score, energy, net value and
        median response hours with the changes, and ``what_changed`` in words.
    tiers : pandas.DataFrame or None
        The tier transition matrix: accounts in both runs, earlier tier (rows) by later tier
        (columns); ``None`` when a run has no tiers.
    segments : pandas.DataFrame or None
        The same for commitment segments.
    headline : pandas.DataFrame
        :data:`HEADLINES` before and after, and the change.
    compliance : pandas.DataFrame
        Each tier's share answered within its promise, before and after.
    params_differ : list of str
        ``key: before → after`` for each param that differs (the dates aside).
    inputs_differ : list of str
        Input files whose content or name differs.
    notes : list of str
        What could not be compared, renamed accounts, ids that may have changed.
    """

    earlier: Snapshot
    later: Snapshot
    accounts: pd.DataFrame
    tiers: pd.DataFrame | None
    segments: pd.DataFrame | None
    headline: pd.DataFrame
    compliance: pd.DataFrame
    params_differ: list[str]
    inputs_differ: list[str]
    notes: list[str]

    @property
    def name(self) -> str:
        """``<earlier run id>_to_<later run id>``: the files' common name."""
        return f"{self.earlier.run_id}_to_{self.later.run_id}"

    def _where(self, mask: pd.Series) -> pd.DataFrame:
        return self.accounts[mask.fillna(False).astype(bool)]

    @property
    def in_both(self) -> int:
        return int((self.accounts["presence"] == "both").sum())

    @property
    def tier_changed(self) -> pd.DataFrame:
        return self._where(self.accounts["tier_changed"])

    @property
    def segment_changed(self) -> pd.DataFrame:
        return self._where(self.accounts["segment_changed"])

    @property
    def entered_drop(self) -> pd.DataFrame:
        return self._where(self.accounts["drop_change"] == "entered")

    @property
    def left_drop(self) -> pd.DataFrame:
        return self._where(self.accounts["drop_change"] == "left")

    @property
    def new(self) -> pd.DataFrame:
        return self._where(self.accounts["presence"] == "new")

    @property
    def gone(self) -> pd.DataFrame:
        return self._where(self.accounts["presence"] == "gone")

    @property
    def moved(self) -> pd.DataFrame:
        """Accounts that changed tier, entered or left the drop candidates, came or went;
        drop candidacy first, then the largest change in energy."""
        a = self.accounts
        mask = a["tier_changed"].fillna(False) | a["drop_change"].ne("") | a["presence"].ne("both")
        out = a[mask.astype(bool)].assign(_drop=lambda d: d["drop_change"].eq(""),
                                          _size=lambda d: -d["energy_change"].abs().fillna(0))
        return out.sort_values(["_drop", "_size", "account_id"]).drop(columns=["_drop", "_size"])

    def sentences(self) -> list[str]:
        """What changed, in plain sentences (in the report's language)."""
        then, now = self.earlier, self.later
        out = [_("From the run of {then} ({then_id}) to the run of {now} ({now_id}):").format(
            then=formatting.date(then.as_of), then_id=then.run_id, now=formatting.date(now.as_of), now_id=now.run_id)]
        if self.tiers is not None:
            n = len(self.tier_changed)
            out.append(ngettext("{n} account of the {both} in both runs changed tier.",
                                "{n} accounts of the {both} in both runs changed tier.", n).format(
                n=number(n), both=number(self.in_both)))
        if self.segments is not None:
            n = len(self.segment_changed)
            out.append(ngettext("{n} account changed commitment segment.",
                                "{n} accounts changed commitment segment.", n).format(n=number(n)))
        if then.has("drop_candidate") and now.has("drop_candidate"):
            entered, left = len(self.entered_drop), len(self.left_drop)
            out.append(ngettext("{n} account became a drop candidate{names}.",
                                "{n} accounts became drop candidates{names}.", entered).format(
                n=number(entered), names=_named(self.entered_drop)))
            out.append(ngettext("{n} account is no longer a drop candidate{names}.",
                                "{n} accounts are no longer drop candidates{names}.", left).format(
                n=number(left), names=_named(self.left_drop)))
        if len(self.new) or len(self.gone):
            out.append(ngettext("{n} account appears only in the later run{names}.",
                                "{n} accounts appear only in the later run{names}.", len(self.new)).format(
                n=number(len(self.new)), names=_named(self.new)))
            out.append(ngettext("{n} account appears only in the earlier run{names}.",
                                "{n} accounts appear only in the earlier run{names}.", len(self.gone)).format(
                n=number(len(self.gone)), names=_named(self.gone)))
        else:
            out.append(_("Both runs hold the same accounts."))
        began = self._where(self.accounts["began"])
        lapsed = self._where(self.accounts["lapsed"])
        if len(began) or len(lapsed):
            out.append(ngettext("{n} account became a customer between the two dates.",
                                "{n} accounts became customers between the two dates.", len(began)).format(
                n=number(len(began))))
            out.append(ngettext(
                "{n} account went quiet (contact or an invoice in the year before the first date, none in the year "
                "before the second).",
                "{n} accounts went quiet (contact or an invoice in the year before the first date, none in the year "
                "before the second).", len(lapsed)).format(n=number(len(lapsed))))
        out.append(self.made_alike())
        return out + self.notes

    def made_alike(self) -> str:
        """One sentence on whether both runs used the same params and input files."""
        params, inputs = "; ".join(self.params_differ), "; ".join(self.inputs_differ)
        if params and inputs:
            return _("Read the changes with this in mind: the params differ ({params}) and the input files differ "
                     "({inputs}).").format(params=params, inputs=inputs)
        if params:
            return _("Read the changes with this in mind: the params differ ({params}).").format(params=params)
        if inputs:
            return _("Read the changes with this in mind: the input files differ ({inputs}).").format(inputs=inputs)
        return _("Both runs used the same params and the same input files.")

    def headline_text(self) -> pd.DataFrame:
        """The headline table with figures written for people."""
        rows = []
        for f, (_i, r) in zip(HEADLINES, self.headline.iterrows()):
            rows.append({"figure": _(f.label), "then": figure_text(r["before"], f.kind),
                         "now": figure_text(r["after"], f.kind),
                         "change": figure_text(r["change"], f.kind, signed=True)})
        return pd.DataFrame(rows)

    def since(self) -> dict[str, Any]:
        """The headline deltas as ``summary.json`` carries them under ``since``."""
        return {
            "run_id": self.earlier.run_id,
            "as_of": self.earlier.as_of.isoformat(),
            "accounts_in_both": self.in_both,
            "tier_changes": len(self.tier_changed) if self.tiers is not None else None,
            "segment_changes": len(self.segment_changed) if self.segments is not None else None,
            "entered_drop_candidates": self.entered_drop["account_id"].tolist(),
            "left_drop_candidates": self.left_drop["account_id"].tolist(),
            "new_accounts": self.new["account_id"].tolist(),
            "gone_accounts": self.gone["account_id"].tolist(),
            "deltas": {r["figure"]: {"before": _json(r["before"]), "after": _json(r["after"]),
                                     "change": _json(r["change"])} for _i, r in self.headline.iterrows()},
            "params_differ": self.params_differ,
            "inputs_differ": self.inputs_differ,
        }

    def markdown(self) -> str:
        """A short section for the overview: the sentences and the headline deltas."""
        table = self.headline_text()
        rows = [f"| {r.figure} | {r.then} | {r.now} | {r.change} |" for r in table.itertuples()
                if r.then != "–" or r.now != "–"]
        head = f"| {_('Figure')} | {_('Then')} | {_('Now')} | {_('Change')} |\n|---|---:|---:|---:|"
        return "\n\n".join([" ".join(self.sentences()), head + "\n" + "\n".join(rows)])


def _accounts(n: int) -> str:
    text = plural(n, "account")
    return text[0].upper() + text[1:]


def _named(rows: pd.DataFrame, most: int = 5) -> str:
    """``: Kone Oy (A1), Saha Ky (A2) and 3 more`` for a few accounts; empty for none."""
    if rows.empty:
        return ""
    names = [f"{n} ({a})" if n != a else a
             for a, n in zip(rows["account_id"], rows["name"].fillna(rows["account_id"]))]
    shown = ", ".join(names[:most])
    if len(names) > most:
        shown = _("{names} and {n} more").format(names=shown, n=number(len(names) - most))
    return f": {shown}"


def figure_text(x: object, kind: str, *, signed: bool = False) -> str:
    """A headline figure for people: ``–`` when unknown, shares in %, a change with its sign
    (a change of a share in percentage points).

    Examples
    --------
    >>> [figure_text(v, k, signed=True).replace("\u00a0", " ") for v, k in ((0.0031, "share"), (-4.17, "hours"))]
    ['+0.3 pp', '−4.2 h']
    >>> figure_text(None, "money")
    '–'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = float(x)  # type: ignore[arg-type]
    digits = {"share": 1, "hours": 1, "rate": 1}.get(kind, 0)
    shown = 100 * v if kind == "share" else v
    # The sign of what is shown: a change that rounds to nothing is 0, not +0.
    sign = "+" if signed and round(shown, digits) > 0 else ""
    if kind == "share":
        return sign + (number(shown, 1, _("pp")) if signed else formatting.percent(v, 1))
    if kind == "money":
        return sign + formatting.money(v)
    return sign + number(shown, digits, "h" if kind == "hours" else "")


def _json(x: object) -> float | int | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    v = float(x)  # type: ignore[arg-type]
    return int(v) if v.is_integer() and abs(v) < 2**53 else round(v, 4)


def compare_runs(a: Snapshot, b: Snapshot) -> Comparison:
    """Compare two runs of one client, the earlier with the later whatever the order given.

    Parameters
    ----------
    a, b : Snapshot
        The runs (:func:`read_run`).

    Raises
    ------
    InputError
        One line: the same run twice, runs of different clients, a pseudonymized run with a
        plain one, or pseudonymized runs whose keys differ.

    Examples
    --------
    >>> c = compare_runs(read_run("reports/sample/2026-10-01_20261203T085653"),
    ...                  read_run("reports/sample/2026-11-01_20261203T085835"))  # doctest: +SKIP
    >>> int(c.tiers.to_numpy().sum()) == c.in_both  # doctest: +SKIP
    True
    """
    if a.run_id == b.run_id:
        raise InputError(b.where, f"this is the same run as {a.where}", "give two different runs of the client")
    earlier, later = sorted((a, b), key=lambda s: s.order)
    if earlier.client != later.client:
        raise InputError(later.where, f"a run of {later.client}, while {earlier.where} is a run of {earlier.client}",
                         "compare two runs of the same client")
    if earlier.pseudonymized != later.pseudonymized:
        coded, plain = (earlier, later) if earlier.pseudonymized else (later, earlier)
        raise InputError(coded.where, f"pseudonymized (customers named by codes) while {plain.where} is not, so "
                         "no account of one can be matched with the other",
                         "compare two runs made alike: run the other month again with (or without) --pseudonymize")
    ids_a, ids_b = set(earlier.accounts["account_id"]), set(later.accounts["account_id"])
    if earlier.pseudonymized and ids_a and ids_b and not ids_a & ids_b:
        raise InputError(later.where, f"shares no customer code with {earlier.where}: the two were pseudonymized "
                         "with different keys (report.pseudonym_key)",
                         "run one of the months again with the key the other run used")
    accounts = account_movements(earlier, later)
    both = accounts[accounts["presence"] == "both"]
    notes = _renamed(accounts, earlier.pseudonymized) + _same_name(accounts)
    tiers = segments = None
    if earlier.has("tier") and later.has("tier"):
        tiers = transitions(both["tier_before"], both["tier_after"], _union(later.tiers, earlier.tiers))
    else:
        notes.append(f"Tiers are not compared: {_lacking(earlier, later, 'tier', '03_communication_plan')}.")
    if earlier.has("segment") and later.has("segment"):
        segments = transitions(both["segment_before"], both["segment_after"],
                               ["entrenched", "average", "shallow", "convertible", "unscored"])
    else:
        notes.append(f"Commitment segments are not compared: {_lacking(earlier, later, 'segment', '01_commitment')}.")
    before, after = earlier.headline(), later.headline()
    headline = pd.DataFrame({
        "figure": [f.key for f in HEADLINES],
        "before": [before[f.key] for f in HEADLINES],
        "after": [after[f.key] for f in HEADLINES],
    })
    headline["change"] = _difference(headline["before"], headline["after"])
    return Comparison(
        earlier=earlier, later=later, accounts=accounts, tiers=tiers, segments=segments, headline=headline,
        compliance=_compliance(earlier, later), params_differ=params_differ(earlier.params, later.params),
        inputs_differ=inputs_differ(earlier.inputs, later.inputs), notes=notes,
    )


def _lacking(earlier: Snapshot, later: Snapshot, column: str, notebook: str) -> str:
    runs = [s.run_id for s in (earlier, later) if not s.has(column)]
    return f"{' and '.join(runs)} {'has' if len(runs) == 1 else 'have'} none (a report without {notebook})"


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """Each value once, in the order of ``first`` and then of ``second``."""
    return list(dict.fromkeys([*first, *second]))


def account_movements(earlier: Snapshot, later: Snapshot) -> pd.DataFrame:
    """One row per account in either run: both sides, the changes, and what changed in words.

    ``began`` marks an account whose relationship began between the two dates (by the later
    run's tenure); ``lapsed`` one active in the earlier run (contact or an invoice within
    ``kpis.active_days``) and no longer in the later one.
    """
    a = earlier.accounts.set_index("account_id")
    b = later.accounts.set_index("account_id")
    ids = list(dict.fromkeys([*b.index, *a.index]))
    out = pd.DataFrame({"account_id": ids})
    out["presence"] = ["both" if i in a.index and i in b.index else ("new" if i in b.index else "gone") for i in ids]
    names_b, names_a = _column(b, "name", ids), _column(a, "name", ids)
    out["name"] = names_b.fillna(names_a).fillna(out["account_id"]).to_numpy()
    out["name_before"] = names_a.to_numpy()
    for col in ("tier", "segment", "drop_candidate", *_NUMBERS):
        out[f"{col}_before"] = _column(a, col, ids).to_numpy()
        out[f"{col}_after"] = _column(b, col, ids).to_numpy()
    for col in _NUMBERS:
        out[f"{col}_change"] = _difference(out[f"{col}_before"], out[f"{col}_after"]).round(4)
    both = out["presence"] == "both"
    for col in ("tier", "segment"):
        known = out[f"{col}_before"].notna() & out[f"{col}_after"].notna()
        out[f"{col}_changed"] = both & known & (out[f"{col}_before"] != out[f"{col}_after"])
    was, now = out["drop_candidate_before"].astype("boolean"), out["drop_candidate_after"].astype("boolean")
    out["drop_change"] = ""
    out.loc[(both & now.fillna(False) & ~was.fillna(True)).to_numpy(), "drop_change"] = "entered"
    out.loc[(both & was.fillna(False) & ~now.fillna(True)).to_numpy(), "drop_change"] = "left"
    days = (later.as_of - earlier.as_of).days
    tenure = pd.to_numeric(_column(b, "tenure_days", ids), errors="coerce").to_numpy()
    out["began"] = both.to_numpy() & (tenure < days) if days > 0 else False
    out["lapsed"] = both.to_numpy() & _active(a, ids, earlier) & ~_active(b, ids, later)
    out["what_changed"] = [_what_changed(r) for r in out.itertuples()]
    first = ["account_id", "name", "presence", "what_changed"]
    return out[first + [c for c in out.columns if c not in first]]


def _column(frame: pd.DataFrame, column: str, ids: list[str]) -> pd.Series:
    if column not in frame:
        return pd.Series([None] * len(ids), index=ids, dtype=object)
    return frame[column].reindex(ids)


def _active(frame: pd.DataFrame, ids: list[str], run: Snapshot) -> Any:
    days = run.params.get("kpis", {}).get("active_days", 365)
    return pd.to_numeric(_column(frame, "recency_days", ids), errors="coerce").lt(days).to_numpy()


def _what_changed(r: Any) -> str:
    if r.presence == "new":
        return "only in the later run"
    if r.presence == "gone":
        return "only in the earlier run"
    parts = []
    if r.tier_changed:
        parts.append(f"tier {r.tier_before} → {r.tier_after}")
    if r.segment_changed:
        parts.append(f"segment {r.segment_before} → {r.segment_after}")
    if r.drop_change:
        parts.append("became a drop candidate" if r.drop_change == "entered" else "no longer a drop candidate")
    if r.began:
        parts.append("began as a customer")
    if r.lapsed:
        parts.append("no contact or invoice in the last year")
    return "; ".join(parts)


def transitions(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """Accounts by earlier (rows) and later (columns) value; every value in ``order`` that
    either side uses, in that order, then any other.

    Examples
    --------
    >>> m = transitions(pd.Series(["grow", "core", "core"]), pd.Series(["core", "core", "grow"]), ["core", "grow"])
    >>> list(m.columns), m.loc["core"].tolist(), m.loc["grow"].tolist()
    (['core', 'grow'], [1, 1], [1, 0])
    """
    known = before.notna() & after.notna()
    seen = set(before[known]) | set(after[known])
    labels = [v for v in order if v in seen] + sorted(seen - set(order))
    table = pd.crosstab(pd.Categorical(before[known], labels), pd.Categorical(after[known], labels), dropna=False)
    table.index.name, table.columns.name = "before", "after"
    return table.reindex(index=labels, columns=labels, fill_value=0).astype(int)


def _compliance(earlier: Snapshot, later: Snapshot) -> pd.DataFrame:
    before, after = earlier.compliance(), later.compliance()
    tiers = _union(after, before)
    out = pd.DataFrame({"tier": tiers, "before": [before.get(t) for t in tiers],
                        "after": [after.get(t) for t in tiers]})
    out["change"] = _difference(out["before"], out["after"])
    return out


def _difference(before: pd.Series, after: pd.Series) -> pd.Series:
    """``after - before``; unknown where either is."""
    return pd.to_numeric(after, errors="coerce") - pd.to_numeric(before, errors="coerce")


def _renamed(accounts: pd.DataFrame, pseudonymized: bool) -> list[str]:
    # A pseudonym's name is made from its code (and the report's language): not a rename.
    if pseudonymized:
        return []
    both = accounts[(accounts["presence"] == "both") & accounts["name_before"].notna()]
    renamed = both[both["name_before"] != both["name"]]
    if renamed.empty:
        return []
    pairs = [f"{r.account_id} {r.name_before} → {r.name}" for r in renamed.head(5).itertuples()]
    more = f" and {len(renamed) - 5} more" if len(renamed) > 5 else ""
    return [f"Renamed, matched by id: {', '.join(pairs)}{more}."]


def _same_name(accounts: pd.DataFrame) -> list[str]:
    """An account gone and one new under the same name: an id that changed, perhaps."""
    gone, new = (accounts[accounts["presence"] == side] for side in ("gone", "new"))
    # Keys made per side: assigning a longer column to an empty frame would give it rows.
    gone, new = (d.assign(key=d["name"].str.strip().str.casefold()) for d in (gone, new))
    pairs = gone.merge(new, on="key", suffixes=("_gone", "_new"))
    pairs = pairs[~pairs["key"].duplicated(keep=False)]
    return [f"{r.name_new}: gone as {r.account_id_gone} and new as {r.account_id_new}; if its id changed in the "
            "client's system, this is one customer" for r in pairs.itertuples()]


def params_differ(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """``key: before → after`` for each param that differs; the analysis date and the
    report's own settings (where it goes, timeouts) are how a run was made, not what it found.

    Examples
    --------
    >>> params_differ({"as_of": "2026-10-01", "energy": {"chaser_weight": 1.0}},
    ...               {"as_of": "2026-11-01", "energy": {"chaser_weight": 2.0}})
    ['energy.chaser_weight: 1.0 → 2.0']
    """
    a, b = _flatten(before), _flatten(after)
    keys = [k for k in dict.fromkeys([*a, *b]) if not any(k == p or k.startswith(p) for p in _NOT_COMPARED)]
    return [f"{k}: {_show(a.get(k))} → {_show(b.get(k))}" for k in keys if a.get(k) != b.get(k)]


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        return {k: v for key, val in d.items() for k, v in _flatten(val, f"{prefix}{key}.").items()}
    if isinstance(d, list) and any(isinstance(x, dict) for x in d):
        return {k: v for i, val in enumerate(d) for k, v in _flatten(val, f"{prefix[:-1]}[{i}].").items()}
    return {prefix[:-1]: d}


def _show(v: Any) -> str:
    return "(not set)" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else str(v)


def inputs_differ(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Each table whose input file changed, by content or by name.

    Examples
    --------
    >>> inputs_differ({"accounts:a.csv": "1", "interactions:i.csv": "2"},
    ...               {"accounts:a.csv": "1", "interactions:i.csv": "3", "leads:l.csv": "4"})
    ['interactions: i.csv changed', 'leads: l.csv only in the later run']
    """
    def by_table(d: dict[str, str]) -> dict[str, tuple[str, str]]:
        return {k.partition(":")[0]: (k.partition(":")[2], v) for k, v in d.items()}

    a, b = by_table(before), by_table(after)
    out = []
    for t in dict.fromkeys([*a, *b]):
        if t not in b:
            out.append(f"{t}: {a[t][0]} only in the earlier run")
        elif t not in a:
            out.append(f"{t}: {b[t][0]} only in the later run")
        elif a[t][0] != b[t][0]:
            out.append(f"{t}: {a[t][0]} → {b[t][0]}" + ("" if a[t][1] == b[t][1] else ", content changed"))
        elif a[t][1] != b[t][1]:
            out.append(f"{t}: {b[t][0]} changed")
    return out


def tier_sankey(c: Comparison) -> go.Figure:
    """Accounts flowing from the earlier run's tiers (left) to the later run's (right);
    accounts that stayed in their tier in grey, those that moved in colour, accounts new or
    gone in green and red.

    Examples
    --------
    >>> tier_sankey(compare_runs(earlier, later)).data[0].type  # doctest: +SKIP
    'sankey'
    """
    assert c.tiers is not None
    new, gone = c.new.get("tier_after"), c.gone.get("tier_before")
    tiers = _union(c.tiers.index, [t for s in (new, gone) if s is not None for t in s.dropna()])
    left = [f"{t} ({c.earlier.as_of})" for t in tiers]
    right = [f"{t} ({c.later.as_of})" for t in tiers]
    labels = left + right
    src, dst, val, colour = [], [], [], []
    for i, t in enumerate(tiers):
        for j, u in enumerate(tiers):
            n = int(c.tiers.loc[t, u]) if t in c.tiers.index and u in c.tiers.columns else 0
            if n:
                src.append(i)
                dst.append(len(tiers) + j)
                val.append(n)
                colour.append("rgba(160,160,160,0.35)" if i == j else "rgba(245,133,24,0.7)")
    for label, counts, side in (("new in the later run", new, "after"), ("gone from the later run", gone, "before")):
        if counts is None or counts.dropna().empty:
            continue
        labels.append(label)
        for t, n in counts.value_counts().items():
            k = tiers.index(t)
            src.append(len(labels) - 1 if side == "after" else k)
            dst.append(len(tiers) + k if side == "after" else len(labels) - 1)
            val.append(int(n))
            colour.append("rgba(84,162,75,0.6)" if side == "after" else "rgba(214,39,40,0.6)")
    fig = go.Figure(go.Sankey(
        node=dict(label=labels, pad=14, thickness=14, color="#4C78A8"),
        link=dict(source=src, target=dst, value=val, color=colour,
                  hovertemplate="%{source.label} → %{target.label}: %{value} accounts<extra></extra>"),
    ))
    return fig.update_layout(title=f"Tiers: {c.earlier.as_of} → {c.later.as_of} (moves in orange)",
                             template="plotly_white", height=520, margin=dict(l=30, r=30, t=60, b=30))


def comparison_html(c: Comparison) -> str:
    """The comparison as one HTML page that opens with no network (plotly.js inline)."""
    moved = c.moved
    sections = [
        paragraphs(c.sentences()),
        "<h2>Headline figures</h2>", html_table(c.headline_text()),
    ]
    if c.tiers is not None:
        sections += ["<h2>Tier transitions</h2>",
                     paragraphs([f"Accounts in both runs by their tier then (rows) and now (columns); the "
                                 f"diagonal stayed. {number(int(c.tiers.to_numpy().sum()))} accounts in all."]),
                     html_table(_matrix(c.tiers)),
                     figure_html(tier_sankey(c))]
    if c.segments is not None:
        sections += ["<h2>Commitment segments</h2>", html_table(_matrix(c.segments))]
    sections += ["<h2>Answered within the promise, per tier</h2>",
                 paragraphs(["The share of customer messages answered within their tier's promised time, as "
                             "each run measured it."]),
                 html_table(_compliance_text(c.compliance))]
    sections += ["<h2>Accounts that moved</h2>",
                 paragraphs([f"{_accounts(len(moved))} changed tier, entered or left the drop candidates, or "
                             "are in one run only. Every account, with every figure, is in the CSV file beside "
                             "this page."]),
                 html_table(_moved_table(moved), text_columns=5)]
    energy = c.accounts[c.accounts["presence"] == "both"].dropna(subset=["energy_change"])
    if len(energy):
        top = energy.reindex(energy["energy_change"].abs().sort_values(ascending=False).index).head(10)
        sections += ["<h2>The largest changes in energy</h2>", html_table(_moved_table(top), text_columns=5)]
    title = f"What changed: {c.later.client}, {c.earlier.as_of} → {c.later.as_of}"
    return html_page(title, sections)


def _compliance_text(compliance: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "tier": compliance["tier"],
        "then": [figure_text(x, "share") for x in compliance["before"]],
        "now": [figure_text(x, "share") for x in compliance["after"]],
        "change": [figure_text(x, "share", signed=True) for x in compliance["change"]],
    })


def _matrix(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename_axis(index="then \\ now", columns=None).reset_index()


def _moved_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "account": rows["account_id"], "name": rows["name"], "what changed": rows["what_changed"],
        "tier then": rows["tier_before"], "tier now": rows["tier_after"],
        "energy change": [figure_text(x, "hours", signed=True) for x in rows["energy_change"]],
        "net value change": [figure_text(x, "money", signed=True) for x in rows["net_value_change"]],
    })


def paragraphs(sentences: list[str]) -> str:
    """Each sentence as an HTML paragraph, escaped."""
    return "".join(f"<p>{html.escape(s)}</p>" for s in sentences)


def html_table(df: pd.DataFrame, *, text_columns: int = 1) -> str:
    """A table for a page: no index, ``–`` for what is unknown, text escaped; the first
    ``text_columns`` (1 to 5) aligned left, the figures right."""
    return df.to_html(index=False, na_rep="–", border=0, classes=f"data text{text_columns}", escape=True)


def figure_html(fig: go.Figure) -> str:
    """A figure for a page, with plotly.js inline."""
    # plotly.js inline, no MathJax: the page must draw with no network (a CDN is not offline).
    return pio.to_html(fig, include_plotlyjs=True, include_mathjax=False, full_html=False,
                       default_width="100%", config={"displaylogo": False})


def html_page(title: str, sections: list[str]) -> str:
    """One self-contained HTML page: the title as its heading, then ``sections`` (HTML)."""
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
             "table.data{border-collapse:collapse;margin:1em 0}table.data td,table.data th{padding:.25em .7em;"
             "border-bottom:1px solid #ddd;text-align:right}h2{margin-top:2em}"
             + "".join(f"table.text{n} td:nth-child(-n+{n}),table.text{n} th:nth-child(-n+{n}){{text-align:left}}"
                       for n in range(1, 6)))
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>\n" + "\n".join(sections)
            + "\n</body></html>\n")


def write_comparison(c: Comparison, out: Path) -> list[Path]:
    """Write the comparison into ``out``: ``<name>.html``, ``<name>.csv`` (every account),
    ``<name>_tiers.csv`` (the transition matrix) and ``<name>_headline.csv``.

    Raises
    ------
    OutputError
        When ``out`` cannot be written: one line naming it and the fix.

    Examples
    --------
    >>> write_comparison(c, Path("reports/sample/compare"))  # doctest: +SKIP
    [PosixPath('reports/sample/compare/2026-10-01_..._to_2026-11-01_....html'), ...]
    """
    files: dict[str, Callable[[Path], None]] = {
        f"{c.name}.html": lambda p: p.write_text(comparison_html(c), encoding="utf-8"),
        f"{c.name}.csv": lambda p: c.accounts.to_csv(p, index=False, encoding="utf-8"),
        f"{c.name}_headline.csv": lambda p: c.headline.to_csv(p, index=False, encoding="utf-8"),
    }
    if c.tiers is not None:
        files[f"{c.name}_tiers.csv"] = lambda p: c.tiers.to_csv(p, encoding="utf-8")  # type: ignore[union-attr]
    return write_files(out, files)


def write_files(out: Path, files: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each file into ``out`` (made when missing) whole or not at all: each is written
    aside and moved into place, so a reader never opens half a page.

    Raises
    ------
    OutputError
        When ``out`` cannot be written.
    """
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, write in files.items():
            # Named by this process, not by mkstemp: mkstemp's files are the owner's alone, and
            # these are reports to pass on (they get the umask's permissions, as a run's do).
            tmp = out / f".{name}.{os.getpid()}.tmp"
            try:
                write(tmp)
                os.replace(tmp, out / name)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(out / name)
    except OSError as e:
        raise OutputError.from_os_error(out, e, key=None) from None
    return written


def previous_run(base: Path, current: Snapshot) -> Snapshot | None:
    """The run to compare ``current`` with: the latest finished run of the same client in
    ``base`` with an earlier analysis date, made alike (both pseudonymized or neither).

    A rerun of the same date is a correction of that month, not the month before: it is
    never the previous run. Runs whose record cannot be read are passed over.

    Examples
    --------
    >>> previous_run(Path("reports/sample"), read_run("reports/sample/2026-11-01_20261102T060001"))  # doctest: +SKIP
    Snapshot(run_id='2026-10-01_20261002T060001', ...)
    """
    for run in reversed(list_runs(base)):
        if run.as_of >= current.as_of or run.run_id == current.run_id:
            continue
        try:
            earlier = read_run(run.path)
        except WorkbenchError:
            continue
        if earlier.client == current.client and earlier.pseudonymized == current.pseudonymized:
            return earlier
    return None


def since_previous_run(staging: Path, summary: dict[str, Any]) -> dict[str, Any] | None:
    """The headline deltas against the previous run, for ``summary.json``; ``None`` when
    there is none (or the runs share no account, pseudonymized with different keys).

    Parameters
    ----------
    staging : Path
        The run being assembled, beside the client's other runs; its ``accounts.csv`` is
        written.
    summary : dict
        The run's summary as it will be written.

    Examples
    --------
    >>> since_previous_run(staging, summary)["tier_changes"]  # doctest: +SKIP
    17
    """
    file = staging / "accounts.csv"
    if not file.is_file():
        return None
    current = snapshot(summary, _read_accounts(file, "workbench run"), where=str(staging), file="summary.json")
    earlier = previous_run(staging.parent, current)
    if earlier is None:
        return None
    try:
        return compare_runs(earlier, current).since()
    except InputError:
        return None


def since_markdown(analysis: Analysis, kpis: RelationshipKpis) -> str:
    """The overview's "since the last run" section: what changed since the client's
    previous run, in sentences and a table of headline figures.

    Outside ``workbench run`` (JupyterLab, nbval) there is no run to place this one among,
    and the section says so. In a run it computes the tiers, commitment and drop candidates
    as notebooks 01 to 03 do (they run after this one), so its figures are the ones the
    run records.

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start("params/default.yaml")
    >>> since_markdown(a, wb.relationship_kpis(a.portfolio, a.metrics, a.params)).startswith("Made by")
    True
    """
    if analysis.out_dir is None:
        return _("Made by a whole report run, this section says what changed since the client's previous run: "
                 "how many accounts changed tier, entered or left the drop candidates, and how the headline "
                 "figures moved. Run on its own, this notebook has no earlier run to compare with.")
    # Which run came before needs only this run's name, date and privacy; the tiers and
    # candidates (notebooks 01 to 03 over again, minutes at scale) only when there is one.
    key = _run_key(analysis)
    earlier = previous_run(analysis.out_dir.parent, key)
    if earlier is None:
        current = key
        if current.pseudonymized:
            text = _("No earlier run of {client} to compare with yet (one with an analysis date before {date}, also "
                     "pseudonymized): the next run will say what changed since this one.")
        else:
            text = _("No earlier run of {client} to compare with yet (one with an analysis date before {date}): "
                     "the next run will say what changed since this one.")
        return text.format(client=current.client, date=formatting.date(current.as_of))
    try:
        return compare_runs(earlier, _current(analysis, kpis)).markdown()
    except InputError as e:
        return _("The previous run cannot be compared with this one: {why}").format(why=e)


def _run_key(analysis: Analysis) -> Snapshot:
    """This run without its figures: what finding the previous run needs."""
    from .privacy import shareable_params

    a = analysis
    assert a.out_dir is not None
    m = STAGING_FOLDER.fullmatch(a.out_dir.name)
    return Snapshot(run_id=m["run_id"] if m else a.out_dir.name, where=str(a.out_dir), client=a.params.client.name,
                    as_of=a.as_of, params=shareable_params(a.params), inputs=a.portfolio.checksums, notebooks={},
                    accounts=pd.DataFrame(columns=["account_id"]))


def _current(analysis: Analysis, kpis: RelationshipKpis) -> Snapshot:
    """This run as its record will show it, computed as notebooks 01 to 03 compute it."""
    from . import energy, plan

    a, key = analysis, _run_key(analysis)
    scores = a.scores
    committed = scores.set_index("account_id")["committed"]
    drain = energy.energy_drain(a.portfolio, a.metrics, a.params, committed=committed)
    p = plan.communication_plan(a.portfolio, a.metrics, a.params, scores=scores, drain=drain)
    accounts = a.metrics
    for part in (scores[["account_id", "commitment_score", "segment", "committed"]],
                 drain.accounts()[["account_id", "energy", "net_value", "drop_candidate"]],
                 p.accounts_export()[["account_id", "tier"]]):
        accounts = accounts.merge(part, on="account_id", how="left")
    summary = {
        "run_id": key.run_id, "client": key.client, "as_of": key.as_of.isoformat(),
        "params": key.params, "inputs": key.inputs, "data_notes": a.portfolio.notes,
        "notebooks": {"00_overview": kpis.as_dict(),
                      "03_communication_plan": {"response_compliance": p.headline()["response_compliance"]}},
    }
    return snapshot(summary, accounts, where=key.where, file="this run")
