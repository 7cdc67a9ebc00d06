"""Independent synthetic portfolios with planted truth, for recovery tests.

The bundled sample (``workbench sample``) was written by the same hands as the analyses,
so an analysis tuned on it may only have learnt its quirks. This module is a second
generator, written from the data contract alone (DESIGN.md, :mod:`workbench.schema`),
describing a different client:

*Kiinteistöpalvelu* — a Finnish property-maintenance and cleaning firm of nine people
(owner, service manager, customer service, four technicians, two cleaners) serving
housing companies, office and retail properties, restaurants and private landlords.
Contact is phone- and SMS-heavy (residents and board chairs text "their" technician),
with service tickets from a web form, some e-mail and WhatsApp (``chat``), site visits and
evening board meetings. Invoices are several times an accounting firm's: monthly
maintenance contracts of 0.3–5 k€, extra work, snow clearing in winter, green care in
summer, small renovation projects. Time zone Europe/Helsinki, business hours 08–16
Mon–Fri, Finnish public holidays from the ``holidays`` package (so planted after-hours
contact is after hours by the same calendar the workbench uses).

Planted archetypes (each a tendency drawn per account from wide distributions, so they
overlap; no single column gives one away):

``drainer``
    high contact load, much of it in the evening and at weekends, chasers (a second
    message 10–40 minutes after their own unanswered one), complaints, long threads,
    demands for site visits; thin but mostly positive margins (a few negative), credit
    notes after complaints, irregular and declining purchases, seldom answer us, few and
    low survey answers; customers for over 1.5 years. About one in ten is ``protected``.
``busy``
    as much contact as a drainer, but in business hours, from a professional property
    manager; retainer with large regular invoices and healthy margins; answers us; good
    surveys. Worth keeping.
``new``
    first seen 3–5 months before ``as_of``; an intense first quarter (questions, some
    after hours, now and then a complaint), small first invoices.
``core``
    long tenure, regular invoices, steady or growing revenue, answers us, good surveys,
    little contact.
``grey``
    sporadic small purchases, little contact, seldom answers; about a third have churned.
``dissatisfied``
    valuable retainers whose recent surveys are low, complaints recent, scope cut.

Drop-candidate truth is ``drainer and not protected and not young``: a consultant shown a
drainer's numbers (tens of hours of evening texts and complaints for a few hundred euros
of margin) would agree it is worth a conversation about letting go; shown a busy
retainer's, they would keep it.

:func:`make_frequent_purchase_log` is a second, unrelated world: a subscription-box /
grocery purchase log with customer-specific rhythms, pauses, churn at random times and
cancellations, for backtesting a commitment score where recency carries the prediction.

Everything is a pure function of the seed (``numpy.random.Generator`` and a seeded Faker).

Examples
--------
>>> g = make_portfolio(1, 150)
>>> len(g.truth), int(g.truth["drop_candidate"].sum())  # doctest: +SKIP
(150, 16)
>>> g.write("/tmp/gen150")  # then: workbench check --data /tmp/gen150  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
from faker import Faker

from workbench import Portfolio
from workbench.schema import TABLES

__all__ = [
    "ARCHETYPES",
    "TIMEZONE",
    "Generated",
    "make_frequent_purchase_log",
    "make_portfolio",
    "typed",
]

TIMEZONE = "Europe/Helsinki"
AS_OF = dt.date(2026, 6, 30)

#: Archetypes and their share of accounts (grey takes the rounding remainder).
ARCHETYPES: dict[str, float] = {
    "drainer": 0.12,
    "busy": 0.10,
    "new": 0.10,
    "core": 0.26,
    "dissatisfied": 0.05,
    "grey": 0.37,
}

_DAY = 1440  # minutes
_OPEN, _CLOSE = 8 * 60, 16 * 60
_CHANNELS = ("phone", "sms", "email", "ticket", "chat")
# Contact follows the Finnish year: snow and frost in winter, the July holiday month.
_SEASON = np.array([1.3, 1.3, 1.2, 1.1, 1.0, 0.85, 0.6, 0.9, 1.0, 1.0, 1.1, 1.2])

_DTYPES = {"date": "datetime64[ns]", "ts": "datetime64[ns, UTC]", "float": "float64", "bool": "boolean"}


# --------------------------------------------------------------------------- result


@dataclass
class Generated:
    """A generated portfolio, what was planted in it, and the day it is analysed from.

    Attributes
    ----------
    portfolio : workbench.Portfolio
        Canonical tables typed exactly as :func:`workbench.load_portfolio` types them.
    truth : pandas.DataFrame
        One row per account: what was planted (columns depend on the generator).
    as_of : datetime.date
        The analysis date; every event is before this local day.
    seed : int
        The seed everything was drawn from.
    """

    portfolio: Portfolio
    truth: pd.DataFrame
    as_of: dt.date
    seed: int
    description: str = ""

    def write(self, folder: str | Path) -> list[Path]:
        """Write the canonical CSV files and ``truth.csv`` to ``folder``.

        The files use canonical column names, so ``workbench run --data folder`` reads
        them with the default mapping: timestamps ISO 8601 with the Helsinki offset
        (``2025-03-14T21:07:00+02:00``), dates ``YYYY-MM-DD``, booleans ``true``/``false``.
        Columns the generator leaves empty are not written (the loader then lists them as
        absent, as it does for the in-memory tables), nor are tables without rows.

        Returns
        -------
        list of Path
            The files written.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("accounts", "interactions", "invoices", "surveys", "leads", "team"):
            df = getattr(self.portfolio, table)
            if df is None or not len(df):
                # A header without rows is refused by the loader; an absent table is not
                # (except interactions, which the loader requires: see make_frequent_purchase_log).
                continue
            path = out / f"{table}.csv"
            _to_csv(df, table).to_csv(path, index=False)
            written.append(path)
        path = out / "truth.csv"
        _csv_values(self.truth).to_csv(path, index=False)
        written.append(path)
        return written


def _to_csv(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """A canonical table as a client export would have it: present columns, text values."""
    absent = set(df.attrs.get("absent", []))
    cols = [c for c in TABLES[table].columns if c in df and c not in absent]
    return _csv_values(df[cols])


def _csv_values(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            local = s.dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            # ISO 8601 wants +02:00, strftime gives +0200 (and Python 3.11 has no %:z).
            out[col] = local.str[:-2] + ":" + local.str[-2:]
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.round(2)
        else:
            out[col] = s
    return out


def typed(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as the loader would return ``table``: every canonical column, in schema order,
    with the loader's dtypes; columns ``df`` lacks are all-missing and listed in
    ``attrs["absent"]``. Interactions also get ``seq`` (their row order).

    Examples
    --------
    >>> t = typed("team", pd.DataFrame({"member": ["Aino"]}))
    >>> list(t.columns), t.attrs["absent"]
    (['member', 'hours_per_week', 'role', 'cost_per_hour'], ['hours_per_week', 'role', 'cost_per_hour'])
    """
    spec = TABLES[table]
    out: dict[str, pd.Series] = {}
    absent = []
    for col, kind in spec.columns.items():
        dtype = _DTYPES.get(kind, "str")
        if col not in df:
            absent.append(col)
            out[col] = pd.Series(None, index=df.index, dtype=dtype)
            continue
        s = df[col]
        if kind == "ts":
            s = pd.to_datetime(s, utc=True).astype(dtype)
        elif kind == "date":
            s = pd.to_datetime(s).dt.normalize().astype(dtype)
        elif kind == "bool":
            s = s.astype("boolean")
        elif kind == "float":
            s = s.astype("float64")
        else:
            # Missing text is missing, not the string "None" or "nan".
            s = s.astype(object).where(s.notna(), None).astype("str")
        out[col] = s
    frame = pd.DataFrame(out, index=df.index).reset_index(drop=True)
    if table == "interactions":
        frame["seq"] = np.arange(len(frame), dtype="int64")
    frame.attrs["absent"] = absent
    return frame


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Calendar:
    """Local days from ``origin`` (day 0) with the Finnish working calendar.

    Times are float minutes since ``origin`` 00:00 local wall-clock time; they become
    zone-aware instants only at the end (:meth:`to_utc`), so business-hour arithmetic is
    plain integer day arithmetic.
    """

    origin: dt.date
    n_days: int  # days up to as_of (events must be before day n_days)
    workday: np.ndarray  # bool, Mon–Fri and not a public holiday; padded past as_of
    next_workday: np.ndarray  # for each day, the first working day on or after it
    season: np.ndarray  # contact intensity per day

    @classmethod
    def build(cls, origin: dt.date, as_of: dt.date) -> _Calendar:
        n = (as_of - origin).days
        pad = n + 40  # replies to the last days' messages may fall after as_of (then cut)
        days = pd.date_range(origin, periods=pad, freq="D")
        fi = holidays.country_holidays("FI", years=range(origin.year, as_of.year + 2))
        work = (days.day_of_week < 5) & ~np.isin(days.date, list(fi.keys()))
        nxt = np.empty(pad, dtype=np.int64)
        upcoming = pad
        for d in range(pad - 1, -1, -1):
            if work[d]:
                upcoming = d
            nxt[d] = upcoming
        return cls(origin, n, np.asarray(work), nxt, _SEASON[days.month.to_numpy() - 1])

    @property
    def end(self) -> float:
        """The first minute of ``as_of`` (nothing at or after it is kept)."""
        return float(self.n_days * _DAY)

    def is_open(self, t: float) -> bool:
        d = int(t // _DAY)
        m = t - d * _DAY
        return d < len(self.workday) and bool(self.workday[d]) and _OPEN <= m < _CLOSE

    def next_open(self, t: float) -> float:
        """The earliest business minute at or after ``t``."""
        d = int(t // _DAY)
        if d >= len(self.workday):
            return math.inf
        m = t - d * _DAY
        if self.workday[d] and m < _CLOSE:
            return max(t, d * _DAY + _OPEN)
        if d + 1 >= len(self.workday):
            return math.inf
        nd = int(self.next_workday[d + 1])
        return math.inf if nd >= len(self.workday) else nd * _DAY + _OPEN

    def add_business(self, t: float, minutes: float) -> float:
        """``t`` moved forward by ``minutes`` of business time (starting at the next open minute)."""
        t = self.next_open(t)
        while math.isfinite(t):
            close = (t // _DAY) * _DAY + _CLOSE
            if minutes < close - t:
                return t + minutes
            minutes -= close - t
            t = self.next_open(close)
        return t

    def to_utc(self, minutes: np.ndarray) -> pd.Series:
        """Local wall-clock minutes since ``origin`` as UTC instants (whole seconds)."""
        local = pd.Timestamp(self.origin) + pd.to_timedelta(np.round(np.asarray(minutes) * 60), unit="s")
        # No generated contact falls in the night hour that DST skips or repeats, but an
        # ambiguous time is read as summer time (Python's fold=0), like the loader does.
        ts = pd.DatetimeIndex(local).tz_localize(
            TIMEZONE, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
        )
        return pd.Series(ts.tz_convert("UTC"), dtype="datetime64[ns, UTC]")


# --------------------------------------------------------------------------- accounts


@dataclass
class _Account:
    """One account's planted tendencies (drawn once, then acted out by the generators)."""

    account_id: str
    archetype: str
    segment: str
    contract: str
    since: int  # day index of the relationship's start (negative: before the export)
    start: int  # first day with activity in the export
    stop: int  # day activity stops (n_days unless churned)
    owner: str
    protected: bool = False
    # contact
    episodes_per_year: float = 5.0
    p_after: float = 0.1  # share of conversations they open after hours
    p_off_day: float = 0.3  # of those, the share on weekends and holidays
    p_chase: float = 0.02
    p_complaint: float = 0.01
    p_complaint_recent: float | None = None  # dissatisfied: complaints pile up lately
    rounds: float = 0.5  # mean extra back-and-forth exchanges per conversation
    p_long: float = 0.01  # conversations that become long threads
    p_visit: float = 0.05
    channel_p: tuple[float, ...] = (0.35, 0.25, 0.25, 0.1, 0.05)
    checkins_per_year: float = 2.0
    p_reply: float = 0.3  # answers our unprompted contact
    walkthroughs_per_year: int = 0
    board_meetings: bool = False
    profile: Callable[[np.ndarray], np.ndarray] | None = None  # contact intensity by day
    # money
    base_monthly: float = 0.0
    base_service: str = "kiinteistöhuolto"
    base_from: int = 0  # day the monthly contract invoicing starts
    extra_rate: float = 0.2  # extra invoices per month
    extra_dispersion: float = 0.0  # gamma shape of monthly variation (0: Poisson)
    extra_median: float = 400.0
    project_rate: float = 0.0
    project_median: float = 0.0
    margin: float = 0.35
    trend: float = 0.0  # log revenue change per year
    scope_cut_day: int | None = None
    scope_cut: float = 1.0
    start_fee: float = 0.0
    credit_p: float = 0.05
    credit_days: list[int] = field(default_factory=list)  # filled by the contact generator
    # Drainers: the margin is set to this share of what their contact cost the firm in the
    # last year (thin and positive: only the time they take makes them unprofitable).
    margin_share: float | None = None
    serving_cost: float = 0.0  # the last year's contact at the firm's own cost rate
    # surveys
    survey_p: float = 0.3
    survey_mu: float = 8.0
    survey_sd: float = 1.5
    churn_day: int | None = None


def _choice(rng: np.random.Generator, options: dict[str, float]) -> str:
    """A key drawn with the (unnormalised) probabilities given as values."""
    u = rng.random() * sum(options.values())
    for key, p in options.items():
        u -= p
        if u < 0:
            return key
    return key


def _draw_account(rng: np.random.Generator, aid: str, arch: str, cal: _Calendar,
                  roles: dict[str, list[str]]) -> _Account:
    """Draw one account's tendencies for its archetype (see the module docstring).

    ``roles`` maps each team role to its members.
    """
    n = cal.n_days
    technicians = roles["technician"]
    manager = roles["service manager"][0]
    boss = roles["owner"][0]
    cleaners = roles["cleaner"]

    def owner_of(p_boss: float) -> str:
        # The responsible technician ("vastuuhuoltaja") owns most accounts; the owner keeps
        # the largest, the service manager some; cleaning-only accounts go to a cleaner.
        u = rng.random()
        if u < p_boss:
            return boss
        if u < p_boss + 0.15:
            return manager
        return str(rng.choice(technicians))

    def lognormal(median: float, sigma: float) -> float:
        return float(median * math.exp(sigma * rng.standard_normal()))

    if arch == "drainer":
        seg = _choice(rng, {"taloyhtiö": 0.40, "vuokranantaja": 0.25, "liiketila": 0.15, "ravintola": 0.20})
        contract = _choice(rng, {"ad hoc": 0.45, "project": 0.35, "subscription": 0.10, "retainer": 0.10})
        since = n - int(rng.uniform(560, 3200))
        a = _Account(aid, arch, seg, contract, since, max(0, since), n, owner_of(0.05))
        # A floor: below about thirty conversations a year nobody would call them a drain.
        a.episodes_per_year = max(32.0, lognormal(50, 0.35))
        a.p_after = max(0.25, float(rng.beta(6, 8)))
        a.p_off_day = float(rng.beta(4, 5))
        a.p_chase = float(rng.beta(3, 7))
        a.p_complaint = float(rng.beta(2, 14))
        a.rounds = float(rng.uniform(1.0, 2.2))
        a.p_long = float(rng.beta(2, 14))
        a.p_visit = float(rng.uniform(0.08, 0.18))
        a.channel_p = (0.33, 0.30, 0.20, 0.05, 0.12)
        a.checkins_per_year, a.p_reply = 2.0, float(rng.beta(2, 10))
        a.walkthroughs_per_year = 1 if contract == "retainer" else 0
        a.base_monthly = lognormal(550, 0.35) if contract in ("retainer", "subscription") else 0.0
        a.base_service = "siivous" if contract == "subscription" else "kiinteistöhuolto"
        a.extra_rate = float(rng.uniform(0.5, 1.1))
        a.extra_dispersion = 1.0  # purchases come in bursts: many empty months
        a.extra_median = lognormal(800, 0.3)
        # Thin margins: quotes haggled down and extra work done without charging. Most stay
        # above zero before serving cost but below what their contact costs (see
        # margin_share); a fifth went under outright.
        if rng.random() < 0.8:
            a.margin, a.margin_share = 0.08, float(rng.uniform(0.15, 0.7))
        else:
            a.margin = float(rng.uniform(-0.14, -0.03))
        a.trend = float(rng.uniform(-0.40, -0.08))
        a.credit_p = 0.15
        a.survey_p, a.survey_mu, a.survey_sd = 0.12, 5.5, 2.0
    elif arch == "busy":
        seg = _choice(rng, {"taloyhtiö": 0.55, "toimitila": 0.35, "liiketila": 0.10})
        contract = _choice(rng, {"retainer": 0.9, "subscription": 0.1})
        since = n - int(rng.uniform(420, 4000))
        a = _Account(aid, arch, seg, contract, since, max(0, since), n, owner_of(0.3))
        a.episodes_per_year = lognormal(55, 0.35)
        a.p_after = float(rng.beta(2, 14))  # real emergencies: leaks, lifts, alarms
        a.p_off_day = float(rng.beta(3, 5))
        a.p_chase = float(rng.beta(1, 25))
        a.p_complaint = float(rng.beta(1, 40))
        a.rounds = float(rng.uniform(0.6, 1.4))
        a.p_long = 0.03
        a.p_visit = float(rng.uniform(0.10, 0.20))
        a.channel_p = (0.30, 0.10, 0.30, 0.25, 0.05)  # a property manager: e-mail and tickets
        a.checkins_per_year, a.p_reply = 6.0, float(rng.beta(7, 3))
        a.walkthroughs_per_year, a.board_meetings = 4, seg == "taloyhtiö"
        a.base_monthly = lognormal(3300, 0.3)
        a.extra_rate, a.extra_median = float(rng.uniform(0.8, 1.6)), lognormal(600, 0.3)
        a.margin = float(rng.uniform(0.30, 0.42))
        a.trend = float(rng.uniform(0.0, 0.08))
        a.credit_p = 0.10
        a.survey_p, a.survey_mu, a.survey_sd = 0.55, 8.6, 1.0
    elif arch == "core":
        seg = _choice(rng, {"taloyhtiö": 0.5, "toimitila": 0.2, "liiketila": 0.15, "ravintola": 0.1,
                            "vuokranantaja": 0.05})
        contract = _choice(rng, {"retainer": 0.55, "subscription": 0.25, "project": 0.15, "ad hoc": 0.05})
        since = n - int(rng.uniform(700, 5000))
        a = _Account(aid, arch, seg, contract, since, max(0, since), n, owner_of(0.15))
        a.episodes_per_year = lognormal(14, 0.5)
        a.p_after, a.p_off_day = float(rng.beta(2, 16)), float(rng.beta(2, 6))
        a.p_chase, a.p_complaint = float(rng.beta(1, 40)), float(rng.beta(1, 60))
        a.rounds, a.p_long, a.p_visit = float(rng.uniform(0.3, 0.9)), 0.01, 0.06
        a.channel_p = (0.30, 0.20, 0.30, 0.15, 0.05)
        a.checkins_per_year, a.p_reply = 4.0, float(rng.beta(6, 3))
        a.walkthroughs_per_year = 2 if contract == "retainer" else 0
        a.board_meetings = seg == "taloyhtiö" and contract == "retainer"
        if contract in ("retainer", "subscription"):
            a.base_monthly = lognormal(1100, 0.45)
            a.base_service = "siivous" if contract == "subscription" else "kiinteistöhuolto"
        if contract == "project":
            a.project_rate, a.project_median = 0.35, lognormal(3000, 0.4)
        a.extra_rate, a.extra_median = float(rng.uniform(0.2, 0.5)), lognormal(450, 0.3)
        a.margin = float(rng.uniform(0.28, 0.42))
        a.trend = float(rng.uniform(-0.02, 0.10))
        a.survey_p, a.survey_mu, a.survey_sd = 0.55, 8.8, 1.0
    elif arch == "grey":
        seg = _choice(rng, {"vuokranantaja": 0.3, "liiketila": 0.25, "ravintola": 0.15, "taloyhtiö": 0.2,
                            "toimitila": 0.1})
        contract = _choice(rng, {"ad hoc": 0.6, "project": 0.2, "subscription": 0.1, "retainer": 0.1})
        since = n - int(rng.uniform(400, 4000))
        a = _Account(aid, arch, seg, contract, since, max(0, since), n, owner_of(0.0))
        if rng.random() < 0.35 and n - a.start > 300:
            a.churn_day = int(rng.uniform(a.start + 90, n - 150))
            a.stop = a.churn_day
        a.episodes_per_year = lognormal(4, 0.6)
        a.p_after, a.p_off_day = float(rng.beta(2, 10)), float(rng.beta(3, 5))
        a.p_chase, a.p_complaint = 0.03, 0.02
        a.rounds, a.p_long, a.p_visit = float(rng.uniform(0.2, 0.8)), 0.01, 0.05
        a.channel_p = (0.35, 0.25, 0.30, 0.05, 0.05)
        a.checkins_per_year, a.p_reply = 1.0, float(rng.beta(1.5, 10))
        if contract in ("retainer", "subscription"):
            a.base_monthly = lognormal(300, 0.4)
            a.base_service = "siivous" if contract == "subscription" else "kiinteistöhuolto"
        a.extra_rate, a.extra_median = float(rng.uniform(0.08, 0.35)), lognormal(380, 0.5)
        a.extra_dispersion = 1.5
        a.margin = float(rng.uniform(0.22, 0.40))
        a.trend = float(rng.uniform(-0.10, 0.05))
        a.survey_p, a.survey_mu, a.survey_sd = 0.12, 7.0, 2.0
    elif arch == "new":
        seg = _choice(rng, {"taloyhtiö": 0.35, "toimitila": 0.2, "liiketila": 0.2, "ravintola": 0.15,
                            "vuokranantaja": 0.1})
        contract = _choice(rng, {"retainer": 0.4, "subscription": 0.3, "project": 0.2, "ad hoc": 0.1})
        since = n - int(rng.uniform(90, 150))
        a = _Account(aid, arch, seg, contract, since, since, n, owner_of(0.1))
        a.episodes_per_year = lognormal(30, 0.35)
        # The first quarter is intense (getting to know the building, keys, schedules),
        # then settles to the account's ordinary pace.
        a.profile = lambda days, s=since: 1.0 + 3.0 * np.exp(-(days - s) / 40.0)
        a.p_after, a.p_off_day = float(rng.beta(3, 10)), float(rng.beta(3, 5))
        a.p_chase, a.p_complaint = float(rng.beta(2, 20)), 0.04
        a.rounds, a.p_long, a.p_visit = float(rng.uniform(0.8, 1.6)), 0.04, 0.15
        a.channel_p = (0.35, 0.25, 0.25, 0.10, 0.05)
        a.checkins_per_year, a.p_reply = 8.0, float(rng.beta(4, 4))
        a.start_fee = lognormal(300, 0.4)
        if contract in ("retainer", "subscription"):
            a.base_monthly = lognormal(900, 0.5)
            a.base_from = since + int(rng.uniform(45, 80))
            a.base_service = "siivous" if contract == "subscription" else "kiinteistöhuolto"
        a.extra_rate, a.extra_median = float(rng.uniform(0.3, 0.8)), lognormal(250, 0.4)
        a.margin = float(rng.uniform(0.20, 0.35))
        a.survey_p, a.survey_mu, a.survey_sd = 0.4, 8.0, 1.5
    elif arch == "dissatisfied":
        seg = _choice(rng, {"taloyhtiö": 0.5, "toimitila": 0.4, "liiketila": 0.1})
        contract = _choice(rng, {"retainer": 0.85, "subscription": 0.15})
        since = n - int(rng.uniform(900, 5000))
        a = _Account(aid, arch, seg, contract, since, max(0, since), n, owner_of(0.3))
        recent = n - int(rng.uniform(180, 260))
        a.episodes_per_year = lognormal(22, 0.4)
        a.profile = lambda days, r=recent: np.where(days >= r, 2.2, 1.0)
        a.p_after, a.p_off_day = float(rng.beta(2, 12)), float(rng.beta(2, 5))
        a.p_chase, a.p_complaint = float(rng.beta(2, 20)), 0.03
        a.p_complaint_recent = float(rng.uniform(0.1, 0.25))
        a.rounds, a.p_long, a.p_visit = float(rng.uniform(0.8, 1.6)), 0.08, 0.12
        a.channel_p = (0.30, 0.10, 0.35, 0.20, 0.05)
        a.checkins_per_year, a.p_reply = 4.0, float(rng.beta(4, 5))
        a.walkthroughs_per_year, a.board_meetings = 2, seg == "taloyhtiö"
        a.base_monthly = lognormal(3000, 0.3)
        a.extra_rate, a.extra_median = float(rng.uniform(0.4, 0.9)), lognormal(600, 0.3)
        a.margin = float(rng.uniform(0.30, 0.38))
        a.scope_cut_day, a.scope_cut = recent + 30, float(rng.uniform(0.55, 0.75))
        a.credit_p = 0.35
        a.survey_p, a.survey_mu, a.survey_sd = 0.65, 8.3, 1.0
    else:  # pragma: no cover - the archetype list is fixed
        raise ValueError(arch)
    if a.base_service == "siivous" and cleaners and rng.random() < 0.5:
        a.owner = str(rng.choice(cleaners))
    return a


# --------------------------------------------------------------------------- names


_PLACES = ("Koivikko", "Kuusela", "Männistö", "Rantala", "Kalliola", "Mäntylä", "Pihlaja", "Tammela",
           "Vaahtera", "Lehmus", "Kataja", "Haapala", "Niittylä", "Pajala", "Jokiranta", "Harjula",
           "Kivikko", "Lepola", "Satama", "Myllymäki", "Puistola", "Kotikallio", "Tuulikki", "Otava",
           "Aurinkorinne", "Pohjantähti", "Sampo", "Kaleva", "Tapiola", "Ilmarinen", "Väinölä", "Louhela")
_TOWNS = ("Tampere", "Nokia", "Ylöjärvi", "Kangasala", "Pirkkala", "Lempäälä", "Valkeakoski", "Orivesi")
_TRADES = {
    "liiketila": ("Kauppa", "Kukka", "Optiikka", "Kello", "Kirja", "Lelu", "Urheilu", "Sisustus"),
    "ravintola": ("Ravintola", "Kahvila", "Pizzeria", "Bistro", "Grilli", "Leipomo"),
    "toimitila": ("Toimitalo", "Liikekeskus", "Yrityskeskus", "Teollisuustalo"),
}


_GENITIVE = {"Tampere": "Tampereen", "Nokia": "Nokian", "Ylöjärvi": "Ylöjärven",
             "Kangasala": "Kangasalan", "Pirkkala": "Pirkkalan", "Lempäälä": "Lempäälän",
             "Valkeakoski": "Valkeakosken", "Orivesi": "Oriveden"}


def _account_name(fake: Faker, rng: np.random.Generator, segment: str, used: set[str]) -> str:
    """A Finnish-looking customer name for the segment, unique within the portfolio."""
    name = ""
    for _ in range(50):
        town = _GENITIVE[str(rng.choice(_TOWNS))]
        if segment == "taloyhtiö":
            name = f"{rng.choice(['As Oy', 'Asunto Oy', 'As. Oy'])} {town} {rng.choice(_PLACES)}"
        elif segment == "vuokranantaja":
            kind = _pick(rng, ("Kiinteistöt", "Vuokratalot", "Asunnot"))
            name = f"{fake.last_name()} {kind} {_pick(rng, ('Oy', 'Ky', 'Tmi'))}"
        elif segment == "toimitila":
            name = f"Kiinteistö Oy {town} {rng.choice(_TRADES['toimitila'])}"
        else:
            name = f"{_pick(rng, _TRADES[segment])} {fake.last_name()} {_pick(rng, ('Oy', 'Ky', 'Tmi'))}"
        if name not in used:
            used.add(name)
            return name
    name = f"{name} {len(used)}"
    used.add(name)
    return name


def _slug(name: str) -> str:
    keep = name.lower()
    for a, b in (("ä", "a"), ("ö", "o"), ("å", "a"), (".", ""), (" ", "-")):
        keep = keep.replace(a, b)
    return "-".join(p for p in keep.split("-") if p)


# --------------------------------------------------------------------------- contact log


_TOPICS = ("Vesivuoto", "Lämmitys ei toimi", "Lumityöt", "Hiekoitus", "Ovi ei sulkeudu", "Avaimet",
           "Roska-astiat", "Porraskäytävän siivous", "Valot pimeänä", "Ilmanvaihto", "Piha-alue",
           "Pesutupa", "Hissi", "Tukos viemärissä", "Lasku", "Saunavuorot", "Melu", "Autopaikat")
#: Seasonal notices (month, day, subject) sent to every account on the list.
_NOTICES = (
    (3, 25, "Tiedote: kevään pihatalkoot ja hiekanpoisto"),
    (6, 5, "Tiedote: kesän huoltopäivystys"),
    (10, 10, "Tiedote: talvikausi ja lumityöt alkavat"),
    (12, 12, "Tiedote: joulun ja vuodenvaihteen päivystys"),
)


class _Log:
    """Rows of the contact log, appended as the accounts act out their tendencies."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self._thread = 0

    def thread(self) -> str:
        self._thread += 1
        return f"AS{self._thread:06d}"  # "asia": one matter, however many messages

    def add(self, acc: str, t: float, channel: str, direction: str, minutes: float | None,
            handled_by: str | None, thread: str | None, complaint: bool, subject: str) -> None:
        self.rows.append((acc, t, channel, direction, minutes, handled_by, thread, complaint, subject))


def _inbound_time(rng: np.random.Generator, day: int, category: int) -> float:
    """A moment on ``day``: 0 business hours, 1 evening or early morning, 2 any waking hour."""
    if category == 0:
        m = rng.triangular(_OPEN, 9.5 * 60, _CLOSE - 1)
    elif category == 1:
        m = rng.triangular(_CLOSE, 17 * 60, 22.5 * 60) if rng.random() < 0.75 else rng.uniform(6 * 60, _OPEN)
    else:
        m = rng.triangular(8 * 60, 14 * 60, 22.5 * 60)
    return day * _DAY + float(m)


def _clip(x: float, lo: float, hi: float) -> float:
    # Scalar clip: np.clip on a Python float costs microseconds in the hot loop.
    return lo if x < lo else hi if x > hi else x


def _pick(rng: np.random.Generator, options: list[str] | tuple[str, ...]) -> str:
    """A uniformly chosen element (rng.choice on a list builds an array every call)."""
    return options[min(int(rng.random() * len(options)), len(options) - 1)]


def _pick_days(rng: np.random.Generator, weights: np.ndarray, days: np.ndarray, k: int) -> np.ndarray:
    if k == 0 or weights.sum() <= 0:
        return np.empty(0, dtype=np.int64)
    return rng.choice(days, size=k, p=weights / weights.sum())


def _customer_time(cal: _Calendar, rng: np.random.Generator, t: float, p_after: float) -> float:
    """When a customer writes at ``t``: kept if they are the after-hours kind (``p_after``),
    else moved into the next business hours; never in the small hours."""
    if cal.is_open(t):
        return t
    if rng.random() < p_after:
        m = t % _DAY
        if 7 * 60 <= m < 23 * 60:
            return t
    return cal.next_open(t) + float(rng.uniform(0, 240))


def _contacts(a: _Account, cal: _Calendar, rng: np.random.Generator, log: _Log,
              team: dict[str, list[str]]) -> None:
    """Act out one account's contact: conversations it opens, our check-ins, visits."""
    if a.stop <= a.start:
        return
    days = np.arange(a.start, a.stop)
    intensity = a.episodes_per_year / 365.0 * cal.season[days]
    if a.profile is not None:
        intensity = intensity * a.profile(days)
    work = cal.workday[days]
    n_ep = int(rng.poisson(intensity.sum()))
    cats = rng.choice(3, size=n_ep, p=[1 - a.p_after, a.p_after * (1 - a.p_off_day), a.p_after * a.p_off_day])
    starts: list[float] = []
    for c in range(3):
        k = int((cats == c).sum())
        w = intensity * (work if c < 2 else ~work)
        starts += [_inbound_time(rng, int(d), c) for d in _pick_days(rng, w, days, k)]
    starts.sort()

    front = team["front"]  # who answers the phone and the shared inbox
    boss = team["owner"][0]
    technicians = team["technician"]
    tech = a.owner if a.owner in technicians else str(rng.choice(technicians))
    channel_cum = np.cumsum(a.channel_p)
    recent_from = (a.scope_cut_day - 30) if a.scope_cut_day is not None else None

    def responder(channel: str, complaint: bool) -> str:
        if complaint and rng.random() < 0.6:
            return boss  # complaints land on the owner's desk
        if channel in ("sms", "chat"):
            return a.owner if rng.random() < 0.7 else tech  # texts go to "our" technician
        return _pick(rng, front) if rng.random() < 0.7 else a.owner

    def reply_after(t_in: float) -> float:
        if cal.is_open(t_in):
            return cal.add_business(t_in, _clip(float(rng.lognormal(math.log(50), 1.0)), 3, 1200))
        return cal.next_open(t_in) + float(rng.uniform(0, 90))

    def call_minutes() -> float:
        return round(_clip(float(rng.lognormal(math.log(7), 0.5)), 1, 45), 1)

    for t0 in starts:
        thread = log.thread()
        topic = _pick(rng, _TOPICS)
        p_c = a.p_complaint_recent if (recent_from is not None and t0 >= recent_from * _DAY) else a.p_complaint
        complaint = bool(rng.random() < p_c)
        subject = f"Reklamaatio: {topic.lower()}" if complaint else topic
        pick = int(np.searchsorted(channel_cum, rng.random() * channel_cum[-1], side="right"))
        channel = _CHANNELS[min(pick, len(_CHANNELS) - 1)]
        t = t0

        def inbound(t_msg: float, ch: str, is_complaint: bool) -> bool:
            """Log a customer message; True when it was a phone call answered live."""
            if ch == "phone":
                if cal.is_open(t_msg) and rng.random() < 0.85:
                    log.add(a.account_id, t_msg, "phone", "in", call_minutes(),
                            responder("phone", is_complaint), thread, is_complaint, subject)
                    return True
                # A missed call leaves a voicemail: a minute to listen to, then a callback.
                log.add(a.account_id, t_msg, "phone", "in", 1.0, None, thread, is_complaint, subject)
                return False
            handler = responder(ch, is_complaint) if ch in ("sms", "chat", "ticket") else None
            log.add(a.account_id, t_msg, ch, "in", None, handler, thread, is_complaint, subject)
            return False

        answered = inbound(t, channel, complaint)
        # Chasers: the same matter again 10–40 minutes later, often on another channel.
        last_in, last_ch = t, channel
        chase_p = a.p_chase
        while not answered and rng.random() < chase_p:
            t = t + float(rng.uniform(10, 40))
            ch = _pick(rng, ("sms", "phone", channel))
            answered = inbound(t, ch, complaint and rng.random() < 0.5)
            last_in, last_ch = t, ch
            chase_p *= 0.5

        rounds = int(rng.geometric(1 / (1 + a.rounds))) - 1
        if rng.random() < a.p_long:
            rounds = int(rng.integers(4, 9))  # 10–18 messages: a long back-and-forth
        if complaint:
            rounds += int(rng.integers(1, 4))
        first_reply: float | None = None
        for r in range(rounds + 1):
            if not answered:
                ch = "phone" if last_ch == "phone" else last_ch
                t_out = reply_after(last_in)
                minutes = call_minutes() if ch == "phone" else None
                log.add(a.account_id, t_out, ch, "out", minutes, responder(ch, complaint), thread, False,
                        f"Re: {subject}")
                t = t_out
            first_reply = first_reply if first_reply is not None else t
            if r == rounds:
                break
            # The customer's next message: after-hours people write whenever it suits them.
            t = _customer_time(cal, rng, t + _clip(float(rng.lognormal(math.log(180), 1.2)), 5, 7 * _DAY),
                               a.p_after)
            ch = channel if rng.random() < 0.7 else _pick(rng, ("sms", "phone", "email"))
            answered = inbound(t, ch, complaint and rng.random() < 0.5)
            last_in, last_ch = t, ch
        if first_reply is None:
            first_reply = t0
        if rng.random() < (a.p_visit * (2 if complaint else 1)):
            tv = cal.add_business(first_reply, float(rng.uniform(0, 2 * 480)))
            visit_minutes = round(_clip(float(rng.lognormal(math.log(60), 0.4)), 20, 180))
            log.add(a.account_id, tv, "visit", "out", visit_minutes, tech, thread, False,
                    f"Käynti: {topic.lower()}")
        if complaint:
            if rng.random() < 0.1:
                tm = cal.add_business(first_reply, float(rng.uniform(240, 5 * 480)))
                log.add(a.account_id, tm, "meeting", "out", float(rng.choice([45, 60, 90])), boss, thread, False,
                        "Palaveri: reklamaation käsittely")
            if rng.random() < a.credit_p:
                a.credit_days.append(int(t0 // _DAY) + int(rng.integers(5, 21)))

    _proactive(a, cal, rng, log, team, tech)


#: The firm's own estimate of a contact's minutes where the log has none. Deliberately no
#: higher than the workbench's default time equations, so a drainer's planted loss holds
#: under them too.
_OWN_MINUTES = {"email": 6.0, "sms": 2.0, "ticket": 10.0, "chat": 4.0, "phone": 7.0,
                "visit": 60.0, "meeting": 60.0}


def _serving_cost(rows: list[tuple], cal: _Calendar, rate: float) -> float:
    """What an account's contact in the last year before ``as_of`` cost at ``rate`` per hour."""
    lo, hi = cal.end - 365 * _DAY, cal.end
    minutes = sum(r[4] if r[4] is not None else _OWN_MINUTES.get(r[2], 5.0)
                  for r in rows if lo <= r[1] < hi)
    return minutes / 60.0 * rate


def _proactive(a: _Account, cal: _Calendar, rng: np.random.Generator, log: _Log,
               team: dict[str, list[str]], tech: str) -> None:
    """Contact we start: check-ins, seasonal notices, walk-throughs, board meetings."""
    days = np.arange(a.start, a.stop)
    work_days = days[cal.workday[days]]
    years = len(days) / 365.0
    office = team["front"][-1]
    if len(work_days):
        n = int(rng.poisson(a.checkins_per_year * years))
        for d in np.sort(rng.choice(work_days, size=n)):
            t = int(d) * _DAY + float(rng.triangular(_OPEN, 9 * 60, _CLOSE - 30))
            thread = log.thread()
            ch = str(rng.choice(["email", "sms", "phone"], p=[0.6, 0.2, 0.2]))
            minutes = round(float(rng.uniform(3, 12)), 1) if ch == "phone" else None
            log.add(a.account_id, t, ch, "out", minutes, a.owner, thread, False, "Kuulumiset ja tulevat huollot")
            if rng.random() < a.p_reply:
                delay = _clip(float(rng.lognormal(math.log(18 * 60), 1.0)), 20, 6 * _DAY)
                tr = _customer_time(cal, rng, t + delay, a.p_after)
                rch = str(rng.choice(["email", "phone", "sms"], p=[0.5, 0.3, 0.2]))
                call = round(float(rng.uniform(3, 10)), 1) if rch == "phone" else None
                log.add(a.account_id, tr, rch, "in", call, a.owner if rch != "email" else None,
                        thread, False, "Re: Kuulumiset")
                if rng.random() < 0.5:
                    log.add(a.account_id, cal.add_business(tr, float(rng.uniform(10, 300))), "email", "out", None,
                            a.owner, thread, False, "Re: Kuulumiset")
        for _ in range(int(round(a.walkthroughs_per_year * years))):
            d = int(rng.choice(work_days))
            t = d * _DAY + float(rng.uniform(_OPEN, _CLOSE - 120))
            log.add(a.account_id, t, "visit", "out", float(rng.choice([60, 90, 120])), tech, log.thread(), False,
                    "Kiinteistökierros")
    # Seasonal notices go to everyone on the list (until it is cleaned after a churn); the
    # log records a batch send's minutes as each recipient's share of the batch.
    notice_stop = a.stop + 90 if a.churn_day is not None else a.stop
    year0 = (cal.origin + dt.timedelta(days=max(a.start, 0))).year
    for year in range(year0, cal.origin.year + 4):
        for month, day, text in _NOTICES:
            d = (dt.date(year, month, day) - cal.origin).days
            if not (a.start <= d < min(notice_stop, cal.n_days)):
                continue
            t = d * _DAY + 9 * 60 + float(rng.uniform(0, 20))
            ch = "sms" if a.segment == "taloyhtiö" else "email"
            thread = log.thread()
            log.add(a.account_id, t, ch, "out", 0.5, office, thread, False, text)
            if d < a.stop and rng.random() < a.p_reply * 0.15:
                log.add(a.account_id, _customer_time(cal, rng, t + float(rng.uniform(60, 3 * _DAY)), a.p_after),
                        ch, "in", None, None, thread, False,
                        "Re: " + text)
        if a.board_meetings:
            d = (dt.date(year, 4, 1) - cal.origin).days + int(rng.integers(0, 50))
            if a.start <= d < a.stop and cal.workday[d]:
                # Board meetings are in the evening; it is our time, not the customer's stress.
                log.add(a.account_id, d * _DAY + 18 * 60, "meeting", "out", 90.0,
                        str(rng.choice(team["owner"] + team["service manager"])), log.thread(), False,
                        "Yhtiökokous")


# --------------------------------------------------------------------------- invoices


_EXTRA_SERVICES = {
    "winter": {"lumityöt": 0.45, "lisätyö": 0.30, "korjaustyö": 0.15, "päivystys": 0.10},
    "summer": {"viherhoito": 0.40, "lisätyö": 0.30, "korjaustyö": 0.20, "siivous": 0.10},
    "other": {"lisätyö": 0.45, "korjaustyö": 0.25, "siivous": 0.20, "päivystys": 0.10},
}


def _invoices(a: _Account, cal: _Calendar, rng: np.random.Generator, rows: list[tuple]) -> None:
    """Monthly contract invoices, extra work, projects and credit notes after complaints."""
    mine: list[tuple] = []
    stop = min(a.stop, cal.n_days)

    def cost_for(amount: float, sd: float) -> float:
        return round(amount * (1 - a.margin + sd * rng.standard_normal()), 2)

    if a.start_fee:
        d = a.start + int(rng.integers(3, 20))
        if d < stop:
            amt = round(a.start_fee, 2)
            mine.append((a.account_id, d, amt, cost_for(amt, 0.04), "aloituskäynti"))
    first = cal.origin + dt.timedelta(days=max(a.start, 0))
    last = cal.origin + dt.timedelta(days=stop)
    month = first.replace(day=1)
    while month <= last:
        m0 = (month - cal.origin).days
        level = math.exp(a.trend * (m0 - a.start) / 365.0)
        if a.base_monthly and m0 >= max(a.base_from, a.start) and m0 < stop:
            scope = a.scope_cut if (a.scope_cut_day is not None and m0 >= a.scope_cut_day) else 1.0
            amt = round(a.base_monthly * level * scope * (1 + 0.02 * rng.standard_normal()), 2)
            mine.append((a.account_id, m0, amt, cost_for(amt, 0.02), a.base_service))
        season = ("winter" if month.month in (11, 12, 1, 2, 3)
                  else "summer" if month.month in (5, 6, 7, 8, 9) else "other")
        rate = a.extra_rate * (1.3 if season == "winter" else 1.0)
        if a.extra_dispersion:
            # Gamma-mixed Poisson: some months busy, many empty (irregular buyers).
            rate *= rng.gamma(a.extra_dispersion, 1 / a.extra_dispersion)
        for _ in range(int(rng.poisson(rate))):
            d = m0 + int(rng.integers(0, 28))
            if a.start <= d < stop:
                amt = round(float(a.extra_median * level * rng.lognormal(0, 0.6)), 2)
                mine.append((a.account_id, d, amt, cost_for(amt, 0.08), _choice(rng, _EXTRA_SERVICES[season])))
        if a.project_rate and rng.random() < a.project_rate / 3:  # a project every ~9 months, paid in parts
            for part in range(int(rng.integers(1, 4))):
                d = m0 + 30 * part + int(rng.integers(0, 28))
                if a.start <= d < stop:
                    amt = round(float(a.project_median * rng.lognormal(0, 0.3)), 2)
                    mine.append((a.account_id, d, amt, cost_for(amt, 0.05), "remontti"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    if a.margin_share is not None and mine:
        last_year = sum(r[2] for r in mine if r[1] >= cal.n_days - 365)
        # Margin rate that leaves the planted share of serving cost, kept thin (1–15 %).
        m = _clip(a.margin_share * a.serving_cost / last_year, 0.01, 0.15) if last_year > 0 else 0.05
        mine = [(r[0], r[1], r[2], round(r[2] * (1 - m + 0.03 * rng.standard_normal()), 2), r[4])
                for r in mine]
    typical = float(np.median([r[2] for r in mine])) if mine else 200.0
    for d in a.credit_days:
        if a.start <= d < cal.n_days:
            # A credit note gives part of an invoice back; the work (and its cost) stays done.
            amt = -round(typical * float(rng.uniform(0.05, 0.20)), 2)
            mine.append((a.account_id, d, amt, 0.0, "hyvitys"))
    rows.extend(mine)


# --------------------------------------------------------------------------- surveys


_COMMENTS = {
    "low": ("Vastaukset viipyvät", "Laskutus epäselvää", "Huoltomies ei ehdi", "Siivouksen taso laskenut"),
    "high": ("Kiitos nopeasta avusta", "Luotettava kumppani", "Hyvää palvelua", ""),
}


def _surveys(a: _Account, cal: _Calendar, rng: np.random.Generator, rows: list[tuple]) -> None:
    """The yearly NPS survey in March, an autumn pulse for contracts, onboarding for new ones."""
    dates = []
    for year in range(cal.origin.year, cal.origin.year + 4):
        dates.append((dt.date(year, 3, 1) - cal.origin).days + int(rng.integers(0, 28)))
        if a.contract in ("retainer", "subscription"):
            dates.append((dt.date(year, 10, 1) - cal.origin).days + int(rng.integers(0, 28)))
    if a.archetype == "new":
        dates.append(a.start + 60)
    for d in sorted(dates):
        if not (a.start + 30 <= d < min(a.stop, cal.n_days)):
            continue
        pulse = dt.date.fromordinal(cal.origin.toordinal() + d).month == 10
        if rng.random() >= a.survey_p * (0.5 if pulse else 1.0):
            continue
        mu = a.survey_mu
        if a.scope_cut_day is not None and d >= a.scope_cut_day - 60:
            mu = 3.5  # the recent answers of the dissatisfied
        score = int(np.clip(round(mu + a.survey_sd * rng.standard_normal()), 0, 10))
        comment = str(rng.choice(_COMMENTS["low" if score <= 6 else "high"])) if rng.random() < 0.3 else ""
        rows.append((a.account_id, d, float(score), "nps", comment or None))


# --------------------------------------------------------------------------- team


def _team(fake: Faker) -> pd.DataFrame:
    """Nine people; cost per hour is the employer's full cost (salary + ~25 % side costs)."""
    roles = [("owner", 45.0, 74.0), ("service manager", 40.0, 52.0), ("customer service", 37.5, 40.0),
             ("technician", 37.5, 41.0), ("technician", 37.5, 39.5), ("technician", 37.5, 40.5),
             ("technician", 37.5, 38.0), ("cleaner", 37.5, 33.0), ("cleaner", 30.0, 32.0)]
    names: list[str] = []
    while len(names) < len(roles):
        n = f"{fake.first_name()} {fake.last_name()}"
        if n not in names:
            names.append(n)
    return pd.DataFrame({
        "member": names,
        "hours_per_week": [r[1] for r in roles],
        "role": [r[0] for r in roles],
        "cost_per_hour": [r[2] for r in roles],
    })


# --------------------------------------------------------------------------- the portfolio


def make_portfolio(seed: int, n_accounts: int, *, as_of: dt.date = AS_OF) -> Generated:
    """A property-maintenance firm's portfolio with planted archetypes.

    Parameters
    ----------
    seed : int
        Seeds every draw (numpy and Faker); the same seed gives the same tables.
    n_accounts : int
        Number of accounts (tested at 150 and 400; at least 20 so each archetype exists).
    as_of : datetime.date
        The analysis date. The history is 2–3 years (drawn from the seed) and ends on the
        day before ``as_of``.

    Returns
    -------
    Generated
        ``portfolio`` (accounts, interactions, invoices, surveys, team; no leads),
        ``truth`` with one row per account: ``account_id, archetype, drainer,
        drop_candidate, committed, busy_profitable, new, protected, churn_date, since``.
        ``drop_candidate`` is ``drainer and not protected and not young`` (drainers are
        never young); ``committed`` is true for the core and the busy retainers.

    Examples
    --------
    >>> g = make_portfolio(3, 150)
    >>> bool(g.truth.loc[g.truth.drop_candidate, "drainer"].all())
    True
    """
    if n_accounts < 20:
        raise ValueError("n_accounts must be at least 20 so that every archetype is present")
    rng = np.random.default_rng(seed)
    fake = Faker("fi_FI")
    fake.seed_instance(seed)
    years = float(rng.uniform(2.0, 3.0))
    origin = as_of - dt.timedelta(days=int(round(years * 365)))
    cal = _Calendar.build(origin, as_of)

    team = _team(fake)
    roles: dict[str, list[str]] = {
        r: team.loc[team["role"] == r, "member"].tolist() for r in team["role"].unique()
    }
    roles["front"] = roles["service manager"] + roles["customer service"]

    counts = {k: int(round(v * n_accounts)) for k, v in ARCHETYPES.items() if k != "grey"}
    counts["grey"] = n_accounts - sum(counts.values())
    archetypes = np.array([k for k, c in counts.items() for _ in range(c)])
    rng.shuffle(archetypes)
    ids = [f"K{i:04d}" for i in range(1, n_accounts + 1)]  # "K" for kohde (a property)
    accounts = [_draw_account(rng, aid, str(arch), cal, roles) for aid, arch in zip(ids, archetypes)]

    # About one drainer in ten is protected (the owner's old friend, a reference site), and
    # a few core accounts too, so "protected" is not itself a drainer flag.
    drainers = [a for a in accounts if a.archetype == "drainer"]
    for i in rng.choice(len(drainers), size=max(1, round(0.1 * len(drainers))), replace=False):
        drainers[int(i)].protected = True
    core = [a for a in accounts if a.archetype == "core"]
    for i in rng.choice(len(core), size=max(1, round(0.04 * len(core))), replace=False):
        core[int(i)].protected = True

    log = _Log()
    inv_rows: list[tuple] = []
    survey_rows: list[tuple] = []
    own_rate = float((team["hours_per_week"] * team["cost_per_hour"]).sum()
                     / (0.8 * team["hours_per_week"].sum()))
    for a in accounts:
        first_row = len(log.rows)
        _contacts(a, cal, rng, log, roles)
        a.serving_cost = _serving_cost(log.rows[first_row:], cal, own_rate)
        _invoices(a, cal, rng, inv_rows)
        _surveys(a, cal, rng, survey_rows)

    interactions = _interaction_frame(log, cal)
    invoices = _invoice_frame(inv_rows, cal)
    surveys = pd.DataFrame(survey_rows, columns=["account_id", "day", "score", "scale", "comment"])
    surveys = surveys.assign(date=[cal.origin + dt.timedelta(days=int(d)) for d in surveys["day"]])
    surveys = surveys.sort_values(["date", "account_id"], kind="stable")

    used: set[str] = set()
    names = [_account_name(fake, rng, a.segment, used) for a in accounts]
    domains = [f"{_slug(n)}.test" for n in names]
    acc = pd.DataFrame({
        "account_id": ids,
        "name": names,
        "owner": [a.owner for a in accounts],
        "since": [cal.origin + dt.timedelta(days=a.since) for a in accounts],
        "contract": [a.contract for a in accounts],
        "segment": [a.segment for a in accounts],
        "domain": domains,
        "email": [f"{rng.choice(['isannointi', 'hallitus', 'info', 'toimisto'])}@{d}" for d in domains],
        "contact": [f"{fake.first_name()} {fake.last_name()}" for _ in accounts],
        "language": [str(rng.choice(["fi", "sv", "en"], p=[0.93, 0.05, 0.02])) for _ in accounts],
        "protected": [a.protected for a in accounts],
    })

    truth = pd.DataFrame({
        "account_id": ids,
        "archetype": [a.archetype for a in accounts],
        "drainer": [a.archetype == "drainer" for a in accounts],
        "protected": [a.protected for a in accounts],
        "committed": [a.archetype in ("core", "busy") for a in accounts],
        "busy_profitable": [a.archetype == "busy" for a in accounts],
        "new": [a.archetype == "new" for a in accounts],
        "churn_date": pd.to_datetime([cal.origin + dt.timedelta(days=a.churn_day) if a.churn_day is not None
                                      else None for a in accounts]),
        "since": pd.to_datetime([cal.origin + dt.timedelta(days=a.since) for a in accounts]),
    })
    young = (pd.Timestamp(as_of) - truth["since"]).dt.days < 365
    truth.insert(3, "drop_candidate", truth["drainer"] & ~truth["protected"] & ~young)

    portfolio = Portfolio(
        accounts=typed("accounts", acc),
        interactions=interactions,
        invoices=invoices,
        surveys=typed("surveys", surveys[["account_id", "date", "score", "scale", "comment"]]),
        team=typed("team", team),
    )
    return Generated(portfolio=portfolio, truth=truth, as_of=as_of, seed=seed,
                     description="property-maintenance firm, 9 people, Europe/Helsinki")


def _interaction_frame(log: _Log, cal: _Calendar) -> pd.DataFrame:
    cols = ["account_id", "t", "channel", "direction", "minutes", "handled_by", "thread_id",
            "is_complaint", "subject"]
    df = pd.DataFrame(log.rows, columns=cols)
    df = df[df["t"] < cal.end]
    # File order is time order, as an export from a phone system or CRM would be.
    df = df.sort_values(["t", "account_id"], kind="stable").reset_index(drop=True)
    df["ts"] = cal.to_utc(df["t"].to_numpy())
    df["interaction_id"] = [f"Y{i:07d}" for i in range(1, len(df) + 1)]
    return typed("interactions", df.drop(columns="t"))


def _invoice_frame(rows: list[tuple], cal: _Calendar) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["account_id", "day", "amount", "cost", "service"])
    df = df.sort_values(["day", "account_id"], kind="stable").reset_index(drop=True)
    df["date"] = pd.Timestamp(cal.origin) + pd.to_timedelta(df["day"], unit="D")
    # Credit notes ("hyvityslasku") are numbered in their own series.
    credit = df["amount"] < 0
    df["invoice_id"] = np.where(credit, "HL", "L") + pd.Series(np.arange(1, len(df) + 1)).map("{:06d}".format)
    return typed("invoices", df.drop(columns="day"))


# --------------------------------------------------------------------------- purchase log


_CATEGORIES = ("hedelmät ja vihannekset", "maito ja juusto", "leipä", "liha ja kala", "kuivatuotteet",
               "juomat", "pakasteet", "herkut", "koti ja hygienia", "lastentarvikkeet")


def make_frequent_purchase_log(seed: int, n_customers: int = 2000, *, as_of: dt.date = AS_OF,
                               years: float = 2.0) -> Generated:
    """A grocery-delivery / subscription-box purchase log: frequent buyers with their own rhythm.

    Each customer has a usual gap between orders (weekly to monthly, log-normal across
    customers) and a regularity (gamma-distributed gaps: box subscribers are near
    clockwork, grocery shoppers looser). Some join during the history, some churn at a
    random time (a constant hazard, so churn dates are spread over the history), some
    pause for one to three months (summer cottage, a paused subscription) and come back,
    and a few whales order every few days with big baskets. An order is an invoice of one
    to five lines (product categories as ``service``); about 2 % of orders are cancelled
    wholly or in part by a negative line whose invoice id starts with ``C``, as in the UCI
    Online Retail export.

    The point: after a cut-off, who keeps buying is best told by recency measured against
    the customer's own rhythm, which a good commitment score should pick up.

    Parameters
    ----------
    seed : int
        Seeds every draw.
    n_customers : int
        Number of customers.
    as_of : datetime.date
        The log ends the day before.
    years : float
        Length of the history.

    Returns
    -------
    Generated
        ``portfolio`` with accounts, invoices and an empty interactions table (no team,
        surveys or leads); ``truth`` with ``account_id, segment, first_purchase,
        mean_gap_days, regularity, whale, pause_start, pause_end, churn_date`` where
        ``churn_date`` is the planted day the customer stopped (missing for those still
        buying at ``as_of``); their last order is before it.

    Examples
    --------
    >>> g = make_frequent_purchase_log(1, 300)
    >>> inv = g.portfolio.invoices
    >>> bool((inv["amount"] < 0).eq(inv["invoice_id"].str.startswith("C")).all())
    True
    """
    rng = np.random.default_rng(seed)
    fake = Faker("fi_FI")
    fake.seed_instance(seed)
    n_days = int(round(years * 365))
    origin = as_of - dt.timedelta(days=n_days)
    ids = [f"{100000 + i}" for i in range(n_customers)]

    whale = rng.random(n_customers) < 0.03
    box = ~whale & (rng.random(n_customers) < 0.35)  # subscription boxes: fixed cadence
    segment = np.where(whale, "whale", np.where(box, "box", "grocery"))
    gap = np.where(whale, rng.uniform(2, 4, n_customers),
                   np.where(box, rng.choice([7.0, 14.0, 28.0], n_customers, p=[0.4, 0.4, 0.2]),
                            np.exp(rng.normal(math.log(14), 0.5, n_customers)).clip(5, 35)))
    shape = np.where(box, rng.uniform(8, 20, n_customers), rng.uniform(1.2, 4.0, n_customers))
    basket = np.where(whale, rng.lognormal(math.log(180), 0.3, n_customers),
                      np.where(box, rng.choice([39.0, 59.0, 79.0], n_customers),
                               rng.lognormal(math.log(55), 0.4, n_customers)))
    # Two thirds are customers when the log starts; the rest join at random times.
    joined = np.where(rng.random(n_customers) < 0.67, rng.uniform(-60, 30, n_customers),
                      rng.uniform(30, n_days - 20, n_customers))
    # Constant hazard: about half leave within a year of the log's start.
    life = rng.exponential(365 / math.log(2) * 1.2, n_customers)
    churn = joined.clip(0) + life
    churn = np.where(churn < n_days, churn, np.nan)
    pause_start = np.full(n_customers, np.nan)
    pause_end = np.full(n_customers, np.nan)
    pausing = rng.random(n_customers) < 0.15
    pause_start[pausing] = rng.uniform(0, n_days - 30, pausing.sum())
    pause_end[pausing] = pause_start[pausing] + rng.uniform(30, 90, pausing.sum())

    cust, day = [], []
    for i in range(n_customers):
        t = joined[i] + rng.uniform(0, gap[i])
        end = churn[i] if not np.isnan(churn[i]) else n_days
        k = int((end - t) / gap[i] * 1.5) + 5
        times = t + np.cumsum(rng.gamma(shape[i], gap[i] / shape[i], k))
        times = np.concatenate([[t], times])
        times = times[(times >= 0) & (times < end)]
        if not np.isnan(pause_start[i]):
            times = times[(times < pause_start[i]) | (times >= pause_end[i])]
        cust.append(np.full(len(times), i))
        day.append(np.floor(times).astype(np.int64))
    ci = np.concatenate(cust)
    di = np.concatenate(day)
    order = np.lexsort((ci, di))
    ci, di = ci[order], di[order]
    n_orders = len(ci)
    lines = rng.integers(1, 6, n_orders)
    oi = np.repeat(np.arange(n_orders), lines)
    # The basket splits over its lines by a Dirichlet(1, …) draw, done as normalised gammas.
    weight = rng.gamma(1.0, 1.0, len(oi))
    weight /= np.bincount(oi, weights=weight)[oi]
    totals = basket[ci] * rng.lognormal(0, 0.25, n_orders)
    amount = np.maximum(np.round(totals[oi] * weight, 2), 0.5)
    cats = rng.choice(len(_CATEGORIES), size=len(oi))
    inv_no = np.array([f"{500000 + i}" for i in range(n_orders)])
    lines_df = pd.DataFrame({
        "account_id": np.array(ids)[ci[oi]],
        "date": pd.Timestamp(origin) + pd.to_timedelta(di[oi], unit="D"),
        "amount": amount,
        "invoice_id": inv_no[oi],
        "service": np.array(_CATEGORIES)[cats],
    })
    # Cancellations: a negative line for part or all of an order, a day or two later,
    # numbered "C" + the order's number.
    cancel = rng.random(n_orders) < 0.02
    canc_orders = np.flatnonzero(cancel)
    first_line = np.searchsorted(oi, canc_orders)
    canc = lines_df.iloc[first_line].copy()
    canc["amount"] = -np.round(canc["amount"].to_numpy() * rng.choice([1.0, 0.5], len(canc)), 2)
    canc["invoice_id"] = "C" + canc["invoice_id"]
    canc["date"] = canc["date"] + pd.to_timedelta(rng.integers(0, 3, len(canc)), unit="D")
    canc = canc[canc["date"] < pd.Timestamp(as_of)]
    invoices = pd.concat([lines_df, canc]).sort_values(["date", "invoice_id"], kind="stable")

    first = pd.Series(di).groupby(ci).min()
    first_purchase = pd.Series(pd.NaT, index=range(n_customers), dtype="datetime64[ns]")
    first_purchase.loc[first.index] = pd.Timestamp(origin) + pd.to_timedelta(first.to_numpy(), unit="D")

    def to_date(x: np.ndarray) -> pd.Series:
        out = pd.Timestamp(origin) + pd.to_timedelta(np.floor(x), unit="D")
        return pd.Series(out).astype("datetime64[ns]")

    accounts = pd.DataFrame({
        "account_id": ids,
        "name": [f"{fake.first_name()} {fake.last_name()}" for _ in ids],
        "since": first_purchase.to_numpy(),
        "contract": np.where(box, "subscription", "ad hoc"),
        "segment": segment,
    })
    truth = pd.DataFrame({
        "account_id": ids,
        "segment": segment,
        "first_purchase": first_purchase.to_numpy(),
        "mean_gap_days": gap.round(2),
        "regularity": shape.round(2),
        "whale": whale,
        "pause_start": to_date(pause_start),
        "pause_end": to_date(pause_end),
        # The first whole day after the moment they stopped: their last order is before it.
        "churn_date": to_date(np.floor(churn) + 1),
    })
    portfolio = Portfolio(
        accounts=typed("accounts", accounts),
        # The Portfolio needs an interactions table: an empty canonical one, as a shop's
        # order export has no contact log.
        interactions=typed("interactions", pd.DataFrame({c: [] for c in TABLES["interactions"].required})),
        invoices=typed("invoices", invoices),
    )
    return Generated(portfolio=portfolio, truth=truth, as_of=as_of, seed=seed,
                     description="grocery / subscription-box purchase log")
