"""Per-account metrics: the one step that touches the whole interaction log.

The log → per-account aggregation is written once with narwhals over lazy frames and
runs on DuckDB (default), polars or pandas; everything after it works on the small
per-account table in pandas.

Durations are differences of ``t_us`` (epoch microseconds), never of zone-aware
timestamps: DuckDB subtracts TIMESTAMPTZ values as calendar intervals in the session zone,
so across a daylight-saving change it would be an hour off.

Window functions order each account's events by time and then ``seq`` (file order),
because real logs have equal timestamps and the result must not depend on the engine's
sort stability. Filtered counts are sums of casts, not ``count(*) FILTER … OVER``, which
DuckDB evaluates orders of magnitude slower on large frames.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pandas as pd

from . import formatting
from .businesstime import BusinessCalendar
from .exceptions import InputError
from .i18n import N_, _
from .engines import Engine, LogFacts, log_facts, scan_log, to_engine, with_epoch
from .params import Params
from .portfolio import Portfolio

#: Channels with a count column of their own; anything else is counted in ``n_other``.
CHANNELS = ("email", "phone", "sms", "chat", "ticket", "meeting", "visit")
#: Channels where a contact needs the customer, whoever logged it: a meeting or a visit is
#: the customer's own act as much as a message it sends.
TWO_WAY = ("meeting", "visit")

_ORDER = ["ts", "seq"]
_BY = "account_id"
_US_PER_DAY = 86_400_000_000


def _flag(expr: nw.Expr) -> nw.Expr:
    return expr.fill_null(False).cast(nw.Int64)


def event_features(
    events: nw.LazyFrame[Any],
    *,
    calendar: BusinessCalendar,
    chaser_window_minutes: float,
    minutes_per_channel: dict[str, float],
    default_minutes: float,
    reply_window_days: float = 7.0,
) -> nw.LazyFrame[Any]:
    """Add per-event features to the canonical interaction log.

    ``events`` holds the canonical columns plus ``seq`` (input order), ``t_us`` and
    ``local_us`` (``ts`` as epoch microseconds, in UTC and on the client's wall clock:
    see :func:`with_epoch`).

    Adds ``effort_minutes`` (measured, else the channel's time equation),
    ``after_hours`` and ``off_day`` (inbound outside business hours / on a weekend or
    public holiday, in the client's zone), ``chaser`` (inbound within the window after
    the account's own unanswered inbound, on any channel), ``response_hours`` (on the
    outbound event that answers a run of inbound events, hours since the run began, which
    is ``prev_run_began`` in epoch µs), ``run_start`` (1 on the first inbound event of such
    a run), ``proactive`` (outbound
    that does not answer an inbound) and ``replied`` (proactive outbound followed by the
    customer's inbound within ``reply_window_days``, in the same thread where threads are
    known).
    """
    names = events.collect_schema().names()
    day_key = nw.col("local_us") // _US_PER_DAY  # days since 1970-01-01, a Thursday
    minute = (nw.col("local_us") // 60_000_000) % 1440
    ts_min, ts_max = _span(events)
    holiday_days = calendar.holiday_days(ts_min, ts_max) or [-1]

    measured = nw.col("minutes") if "minutes" in names else nw.lit(None, nw.Float64)
    by_channel = nw.lit(float(default_minutes))
    for channel, minutes in minutes_per_channel.items():
        by_channel = nw.when(nw.col("channel") == channel).then(float(minutes)).otherwise(by_channel)
    complaint = _flag(nw.col("is_complaint")) if "is_complaint" in names else nw.lit(0)
    thread = nw.col("thread_id") if "thread_id" in names else nw.lit(None, nw.String)

    is_in = nw.col("direction") == "in"
    # Neighbours' direction is shifted as a 0/1 integer and compared with 1: a shifted
    # boolean is an object column on pandas, where ~True is -2.
    prev = {c: nw.col(c).shift(1).over(_BY, order_by=_ORDER) for c in ("t_us", "in_flag")}
    nxt = {c: nw.col(c).shift(-1).over(_BY, order_by=_ORDER) for c in ("t_us", "in_flag", "thread")}

    return (
        events.with_columns(
            is_in=is_in,
            in_flag=_flag(is_in),
            effort_minutes=measured.cast(nw.Float64).fill_null(by_channel),
            complaint=complaint,
            thread=thread,
            # Local parts become columns once: used in two flags, an inline expression
            # would be evaluated (and, on DuckDB, hash-joined against the lists) twice.
            local_day=day_key,
            local_minute=minute,
            local_weekday=(day_key + 3) % 7 + 1,  # ISO: Monday = 1
        )
        .with_columns(
            off_day_=~nw.col("local_weekday").is_in(list(calendar.weekdays))
            | nw.col("local_day").is_in(holiday_days),
        )
        .with_columns(
            after_hours=_flag(
                nw.col("is_in")
                & (
                    nw.col("off_day_")
                    | (nw.col("local_minute") < calendar.start_minute)
                    | (nw.col("local_minute") >= calendar.end_minute)
                )
            ),
            off_day=_flag(nw.col("is_in") & nw.col("off_day_")),
            prev_t=prev["t_us"],
            next_t=nxt["t_us"],
            prev_in=(prev["in_flag"] == 1).fill_null(False),
            next_in=(nxt["in_flag"] == 1).fill_null(False),
            # Where the log has threads, a reply must answer in ours: a customer who writes
            # all the time would otherwise "reply" to everything we send.
            next_thread=nxt["thread"],
        )
        .drop("local_day", "local_minute", "local_weekday", "off_day_", "local_us")
        .with_columns(
            # Null cases spelled out: engines disagree on what text == null gives.
            same_thread=nw.col("thread").is_null()
            | nw.col("next_thread").is_null()
            | (nw.col("thread") == nw.col("next_thread")).fill_null(False),
            gap_minutes=(nw.col("t_us") - nw.col("prev_t")) / 60e6,
            run_start=_flag(nw.col("is_in") & ~nw.col("prev_in")),
        )
        .with_columns(
            chaser=_flag(
                nw.col("is_in") & nw.col("prev_in") & (nw.col("gap_minutes") <= chaser_window_minutes)
            ),
            # Engagement is judged on contact we start: an answer to the customer's own
            # message being answered again says nothing about their interest in us.
            proactive=_flag(~nw.col("is_in") & ~nw.col("prev_in")),
            replied=_flag(
                ~nw.col("is_in")
                & ~nw.col("prev_in")
                & nw.col("next_in")
                & nw.col("same_thread")
                & ((nw.col("next_t") - nw.col("t_us")) <= reply_window_days * 86400e6)
            ),
            # Rows are in time order, so a running maximum of the inbound runs' first
            # times is the start of the latest one: one window pass, where numbering the
            # runs and taking each run's minimum took three.
            run_began=nw.when(nw.col("run_start") == 1)
            .then(nw.col("t_us"))
            .otherwise(0)
            .cum_max()
            .over(_BY, order_by=_ORDER),
        )
        .with_columns(
            prev_run_began=nw.when(~nw.col("is_in") & nw.col("prev_in"))
            .then(nw.col("run_began"))
            .otherwise(None),
        )
        .with_columns(
            response_hours=(nw.col("t_us") - nw.col("prev_run_began")) / 3600e6,
        )
        .drop("run_began")
    )


def _span(events: nw.LazyFrame[Any]) -> tuple[dt.date, dt.date]:
    span = events.select(lo=nw.col("ts").min(), hi=nw.col("ts").max()).collect("pandas").to_native()
    lo, hi = span["lo"].iloc[0], span["hi"].iloc[0]
    if pd.isna(lo):
        return dt.date(2000, 1, 1), dt.date(2000, 1, 1)
    # A day's margin each side: local days may differ from UTC days.
    return (lo - pd.Timedelta(days=1)).date(), (hi + pd.Timedelta(days=1)).date()


def interaction_metrics(
    events: nw.LazyFrame[Any], *, window_start: dt.datetime, as_of: dt.datetime
) -> nw.LazyFrame[Any]:
    """Aggregate featured events (see :func:`event_features`) to one row per account.

    Counts, effort and stress signals are over ``[window_start, as_of)``; ``first_seen``
    and ``last_seen`` over all events before ``as_of``.
    """
    w = nw.col("ts") >= nw.lit(window_start)
    # A run belongs to the window it began in: an answer in the window to a run begun
    # before it is neither a run nor an answer here, so answered runs never exceed runs.
    answers = nw.col("prev_run_began") >= pd.Timestamp(window_start).value // 1000
    answer_hours = nw.when(answers).then(nw.col("response_hours")).otherwise(None)

    def count(cond: nw.Expr) -> nw.Expr:
        return _flag(cond & w).sum()

    channel_counts = {f"n_{c}": count(nw.col("channel") == c) for c in CHANNELS}
    # What the customer did itself, not what we sent it: a relationship is not older or
    # more recent because we kept writing to someone who never answered.
    engaged = nw.col("is_in") | nw.col("channel").is_in(list(TWO_WAY))
    known = nw.col("channel").is_in(list(CHANNELS))
    thread_sizes = (
        events.filter(w & ~nw.col("thread").is_null())
        .group_by(_BY, "thread")
        .agg(thread_len=nw.len())
        .group_by(_BY)
        .agg(n_threads=nw.len(), longest_thread=nw.col("thread_len").max())
    )
    per_account = events.group_by(_BY).agg(
        n_interactions=count(nw.lit(True)),
        n_inbound=count(nw.col("is_in")),
        n_outbound=count(~nw.col("is_in")),
        **channel_counts,
        n_other=count(~known),
        effort_minutes=nw.when(w).then(nw.col("effort_minutes")).otherwise(0.0).sum(),
        after_hours_inbound=count(nw.col("after_hours") == 1),
        off_day_inbound=count(nw.col("off_day") == 1),
        chasers=count(nw.col("chaser") == 1),
        complaints=count(nw.col("complaint") == 1),
        inbound_runs=count(nw.col("run_start") == 1),
        answered_runs=_flag(answers.fill_null(False)).sum(),
        proactive_outbound=count(nw.col("proactive") == 1),
        proactive_replied=count(nw.col("replied") == 1),
        response_hours_median=answer_hours.median(),
        response_hours_p90=answer_hours.quantile(0.9, interpolation="linear"),
        first_seen=nw.col("ts").min(),
        last_seen=nw.col("ts").max(),
        last_inbound=nw.when(nw.col("is_in")).then(nw.col("ts")).otherwise(None).max(),
        first_engaged=nw.when(engaged).then(nw.col("ts")).otherwise(None).min(),
        last_engaged=nw.when(engaged).then(nw.col("ts")).otherwise(None).max(),
    )
    return per_account.join(thread_sizes, on=_BY, how="left")


def invoice_metrics(
    invoices: nw.LazyFrame[Any], *, window_start: dt.datetime, as_of: dt.datetime
) -> nw.LazyFrame[Any]:
    """Revenue, its trend and breadth per account from the invoice table."""
    names = invoices.collect_schema().names()
    window = pd.Timestamp(as_of) - pd.Timestamp(window_start)
    prev_start = pd.Timestamp(window_start) - window
    d = nw.col("date")
    cur = (d >= nw.lit(window_start)) & (d < nw.lit(as_of))
    prev = (d >= nw.lit(prev_start.to_pydatetime())) & (d < nw.lit(window_start))
    cost = nw.col("cost") if "cost" in names else nw.lit(None, nw.Float64)
    service = nw.col("service") if "service" in names else nw.lit(None, nw.String)
    # Distinct services need their own pass: n_unique would count a missing service as one.
    breadth = (
        invoices.filter(cur & ~service.is_null())
        .group_by(_BY)
        .agg(n_services=service.n_unique())
    )
    # A purchase is an invoice, not an invoice line (exports often carry one row per line),
    # and never a credit note or a cancellation: only lines with a positive amount count.
    # Without invoice ids, one purchase per day.
    bought = nw.col("amount") > 0
    purchase = nw.col("invoice_id") if "invoice_id" in names else d
    month = d.dt.year().cast(nw.Int64) * 100 + d.dt.month().cast(nw.Int64)
    occasions = (
        invoices.filter(cur & bought)
        .with_columns(purchase_=purchase, month_=month)
        .group_by(_BY)
        .agg(invoice_months=nw.col("month_").n_unique(), n_purchases=nw.col("purchase_").n_unique())
    )
    history = (
        invoices.filter((d < nw.lit(as_of)) & bought)
        .with_columns(purchase_=purchase)
        .group_by(_BY)
        .agg(
            n_purchases_lifetime=nw.col("purchase_").n_unique(),
            # BG/NBD counts a repeat purchase as a later day with a purchase.
            purchase_days_lifetime=d.n_unique(),
            first_purchase=d.min(),
            last_purchase=d.max(),
        )
    )
    return (
        invoices.filter(d < nw.lit(as_of))
        .with_columns(cur=cur, prev=prev, cost_=cost.cast(nw.Float64))
        .group_by(_BY)
        .agg(
            revenue=nw.when(nw.col("cur")).then(nw.col("amount")).otherwise(0.0).sum(),
            revenue_prev=nw.when(nw.col("prev")).then(nw.col("amount")).otherwise(0.0).sum(),
            direct_cost=nw.when(nw.col("cur")).then(nw.col("cost_")).otherwise(0.0).sum(),
            revenue_lifetime=nw.col("amount").sum(),
            n_invoices=_flag(nw.col("cur")).sum(),
            first_invoice=d.min(),
            last_invoice=d.max(),
        )
        .join(breadth, on=_BY, how="left")
        .join(occasions, on=_BY, how="left")
        .join(history, on=_BY, how="left")
    )


def survey_metrics(surveys: nw.LazyFrame[Any], *, as_of: dt.datetime) -> nw.LazyFrame[Any]:
    """Latest and mean satisfaction score per account."""
    before = surveys.filter(nw.col("date") < nw.lit(as_of))
    overall = before.group_by(_BY).agg(
        n_surveys=nw.len(), survey_mean=nw.col("score").mean(), last_survey=nw.col("date").max()
    )
    # The latest answer by a join, not a window: on pandas, max().over() of a date column
    # came back wrong (narwhals 2.29, pandas 3.1).
    latest = (
        before.join(overall.select(_BY, "last_survey"), on=_BY)
        .filter(nw.col("date") == nw.col("last_survey"))
        .group_by(_BY)
        .agg(survey_last=nw.col("score").mean())
    )
    return overall.join(latest, on=_BY, how="left")


#: What a figure or an analysis may need from the data, and how its absence is said: the
#: reason completes "… cannot be shown: <reason>" and "Not computed: … : <reason>".
NEEDS: dict[str, str] = {
    "interactions": N_("there is no contact log"),
    "inbound": N_("the contact log holds no messages from customers"),
    "outbound": N_("the contact log holds no messages from us"),
    "recent contact": N_("the contact log holds no contact in the {window_days} days before {as_of}"),
    "invoices": N_("there are no invoices"),
    "surveys": N_("there are no survey answers"),
    "leads": N_("there is no leads table"),
    "team": N_("there is no team table"),
}
#: Needs that are facts about the contact log: without a log its absence is the reason.
_OF_THE_LOG = ("inbound", "outbound", "recent contact")


@dataclass(frozen=True)
class Coverage:
    """What the data holds, so each figure can say what it lacks instead of drawing nothing.

    ``present`` holds the names in :data:`NEEDS` the data satisfies.
    """

    present: frozenset[str]
    window_days: int
    as_of: dt.date

    def lacks(self, *needs: str) -> str | None:
        """Why something that needs ``needs`` cannot be computed; None when it can.

        Examples
        --------
        >>> c = Coverage(frozenset({"invoices"}), 365, dt.date(2026, 1, 1))
        >>> c.lacks("invoices") is None, c.lacks("invoices", "outbound")
        (True, 'there is no contact log')
        """
        for need in needs:
            if need not in NEEDS:
                raise ValueError(f"unknown need {need!r}; one of {', '.join(NEEDS)}")
            if need in _OF_THE_LOG and "interactions" not in self.present:
                need = "interactions"
            if need not in self.present:
                return _(NEEDS[need]).format(window_days=self.window_days, as_of=formatting.date(self.as_of))
        return None


def coverage(portfolio: Portfolio, metrics: pd.DataFrame) -> Coverage:
    """What ``portfolio`` holds, and whether its log has contact in ``metrics``' window.

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> sorted(coverage(a.portfolio, a.metrics).present) == sorted(NEEDS)
    True
    """
    facts = _log_facts(portfolio)
    present = {t for t in ("interactions", "invoices", "surveys", "leads", "team") if portfolio.has(t)}
    if facts.inbound:
        present.add("inbound")
    if facts.outbound:
        present.add("outbound")
    if int(metrics["n_interactions"].sum()) > 0:
        present.add("recent contact")
    as_of, window = analysis_window(metrics)
    return Coverage(frozenset(present), window, as_of)


def resolve_as_of(portfolio: Portfolio, as_of: dt.date | None) -> dt.date:
    """``as_of`` if given, else the day after the latest interaction (never the clock).

    Without a contact log the latest invoice dates the data instead: an export of
    invoices alone still says when it was taken.

    Raises
    ------
    InputError
        When neither table holds a date to count from.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.schema import TABLES
    >>> log = pd.DataFrame({c: pd.Series(dtype="str") for c in TABLES["interactions"].columns})
    >>> log["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
    >>> bills = pd.DataFrame({"account_id": ["a"], "date": pd.to_datetime(["2026-03-31"]), "amount": [1.0]})
    >>> resolve_as_of(Portfolio(accounts=pd.DataFrame(), interactions=log, invoices=bills), None)
    datetime.date(2026, 4, 1)
    """
    if as_of is not None:
        return as_of
    latest = _log_facts(portfolio).latest
    if latest is not None:
        return latest.tz_convert("UTC").date() + dt.timedelta(days=1)
    last_invoice = portfolio.invoices["date"].max() if portfolio.has("invoices") else pd.NaT
    if not pd.isna(last_invoice):
        return pd.Timestamp(last_invoice).date() + dt.timedelta(days=1)
    raise InputError(
        file="interactions and invoices",
        problem="neither holds a dated row, so there is no day to analyse the data from",
        fix="add the contact log or invoices, or set as_of (YYYY-MM-DD) in the params file",
    )


def account_metrics(
    portfolio: Portfolio,
    params: Params,
    *,
    as_of: dt.date | None = None,
    window_days: int = 365,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """One row per account: activity, effort, stress signals, revenue, tenure, recency.

    Parameters
    ----------
    portfolio : Portfolio
        The client's canonical tables.
    params : Params
        Business hours, holidays, channel time equations, chaser window, default engine.
    as_of : date, optional
        Only events before this day count; default ``params.as_of``, else the day after
        the latest interaction.
    window_days : int
        Activity, effort and revenue are summed over the ``window_days`` before ``as_of``;
        ``revenue_prev`` over the window before that (for the trend).
    engine : {"duckdb", "polars", "pandas"}, optional
        Where the log aggregation runs; default ``params.engine``.

    Returns
    -------
    pandas.DataFrame
        Indexed by nothing, one row per account in ``portfolio.accounts`` (accounts with
        no events get zeros), sorted by ``account_id``.

    Examples
    --------
    >>> from workbench import load_params, load_portfolio
    >>> params = load_params("params/default.yaml")
    >>> m = account_metrics(load_portfolio(params), params)
    >>> {"chasers", "after_hours_inbound", "revenue"} <= set(m.columns)
    True
    """
    engine = engine or params.engine
    tz = params.client.timezone
    day = resolve_as_of(portfolio, as_of or params.as_of)
    cutoff = pd.Timestamp(day, tz=tz).tz_convert("UTC")
    start = cutoff - pd.Timedelta(days=window_days)

    with quiet_pandas():
        return _account_metrics(portfolio, params, engine, day, cutoff, start, window_days)


@contextmanager
def quiet_pandas() -> Iterator[None]:
    """Silence narwhals' warning that conditional aggregations are slow on pandas: the
    price of the pandas engine, known and documented, not news for every run."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Found complex group-by", category=UserWarning)
        yield


def featured_log(
    portfolio: Portfolio, params: Params, cutoff: pd.Timestamp, engine: Engine
) -> nw.LazyFrame[Any]:
    """The interaction log before ``cutoff`` with :func:`event_features`, on ``engine``,
    using the params' calendar, time equations and chaser window: the one definition of
    per-event features that metrics, energy and the plan share."""
    tz = params.client.timezone
    if portfolio.log_loaded:
        log = portfolio.interactions
        before = log["ts"] < cutoff
        # Usually every event is before the cut-off (as_of is the day after the last one):
        # then no filtered copy of the whole log.
        if not before.all():
            log = log[before]
        events = to_engine(with_epoch(log, tz), engine, tz, params.spark)
    else:
        events = scan_log(portfolio.log_file, engine, tz, before=cutoff, spark=params.spark)  # type: ignore[arg-type]
    return event_features(
        events,
        calendar=BusinessCalendar.from_params(params),
        chaser_window_minutes=params.chasers.window_minutes,
        minutes_per_channel=params.effort.minutes_per_channel,
        default_minutes=params.effort.default_minutes,
    )


def _log_facts(portfolio: Portfolio) -> LogFacts:
    # A log kept as a file is asked, not loaded.
    return log_facts(portfolio.log_source)


def _account_metrics(
    portfolio: Portfolio,
    params: Params,
    engine: Engine,
    day: dt.date,
    cutoff: pd.Timestamp,
    start: pd.Timestamp,
    window_days: int,
) -> pd.DataFrame:
    tz = params.client.timezone
    naive_cut = pd.Timestamp(day).to_pydatetime()
    naive_start = (pd.Timestamp(day) - pd.Timedelta(days=window_days)).to_pydatetime()
    featured = featured_log(portfolio, params, cutoff, engine)
    parts = [
        interaction_metrics(
            featured, window_start=start.to_pydatetime(), as_of=cutoff.to_pydatetime()
        )
    ]
    if portfolio.has("invoices"):
        parts.append(invoice_metrics(
            to_engine(portfolio.invoices, engine, tz, params.spark), window_start=naive_start, as_of=naive_cut
        ))
    if portfolio.has("surveys"):
        parts.append(survey_metrics(to_engine(portfolio.surveys, engine, tz, params.spark), as_of=naive_cut))

    out = portfolio.accounts[_account_columns(portfolio.accounts)].copy()
    for part in parts:
        out = out.merge(_collect(part, tz), on=_BY, how="left")
    out = _finish(out, day, tz)
    if not _log_facts(portfolio).outbound:
        # A log of incoming mail or tickets alone cannot show whether a message was
        # answered: the share answered is unknown, not zero.
        out["answered_share"] = float("nan")
    out.attrs.update(window_days=window_days, engine=engine)
    return out


def analysis_window(metrics: pd.DataFrame) -> tuple[dt.date, int]:
    """The day and the window length, in days, an :func:`account_metrics` table describes.

    Examples
    --------
    >>> m = pd.DataFrame({"account_id": ["a"]})
    >>> m.attrs.update(as_of="2026-10-31", window_days=365)
    >>> analysis_window(m)
    (datetime.date(2026, 10, 31), 365)
    """
    # A date or its ISO text: tables read back from Parquet carry the text.
    return dt.date.fromisoformat(str(metrics.attrs["as_of"])[:10]), int(metrics.attrs.get("window_days", 365))


def _account_columns(accounts: pd.DataFrame) -> list[str]:
    return [c for c in ("account_id", "name", "owner", "since", "contract", "protected") if c in accounts]


def _collect(frame: nw.LazyFrame[Any], tz: str) -> pd.DataFrame:
    df = frame.collect("pandas").to_native()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            # Engines hand instants back in their session zone; one zone for all.
            df[col] = df[col].dt.tz_convert("UTC")
    return df


_COUNTS = (
    "n_interactions", "n_inbound", "n_outbound", *(f"n_{c}" for c in CHANNELS), "n_other",
    "after_hours_inbound", "off_day_inbound", "chasers", "complaints", "inbound_runs",
    "answered_runs", "proactive_outbound", "proactive_replied", "n_threads", "longest_thread", "n_invoices",
    "n_services", "n_surveys", "invoice_months", "n_purchases", "n_purchases_lifetime",
    "purchase_days_lifetime",
)
_AMOUNTS = ("effort_minutes", "revenue", "revenue_prev", "direct_cost", "revenue_lifetime")


def _finish(df: pd.DataFrame, day: dt.date, tz: str) -> pd.DataFrame:
    """Fill accounts without events, derive ratios and ages, fix dtypes engine-neutrally."""
    for col in _COUNTS:
        if col in df:
            df[col] = df[col].fillna(0).astype("int64")
    for col in _AMOUNTS:
        if col in df:
            df[col] = df[col].astype("float64").fillna(0.0).round(6)
    for col in ("response_hours_median", "response_hours_p90", "survey_mean", "survey_last"):
        if col in df:
            df[col] = df[col].astype("float64").round(6)
    for col in ("first_seen", "last_seen", "last_inbound", "first_engaged", "last_engaged"):
        df[col] = pd.to_datetime(df[col], utc=True).astype("datetime64[ns, UTC]")
    for col in ("first_invoice", "last_invoice", "first_purchase", "last_purchase", "last_survey"):
        if col in df:
            df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    n = df["n_interactions"].where(df["n_interactions"] > 0)
    df["inbound_share"] = (df["n_inbound"] / n).round(6)
    df["answered_share"] = (df["answered_runs"] / df["inbound_runs"].where(df["inbound_runs"] > 0)).round(6)
    df["reply_share"] = (
        df["proactive_replied"] / df["proactive_outbound"].where(df["proactive_outbound"] > 0)
    ).round(6)
    df["effort_hours"] = (df["effort_minutes"] / 60).round(6)

    cutoff = pd.Timestamp(day, tz=tz)
    local_day = pd.Timestamp(day)
    local = lambda c: df[c].dt.tz_convert(tz).dt.tz_localize(None)  # noqa: E731
    # The relationship began at the customer's earliest own trace: the contract date, its
    # first message, meeting or invoice. Our unanswered messages are not a relationship.
    # A contract date on or after as_of has not begun yet (an analysis at an earlier day,
    # a backtest cut-off): counted, it would give a negative age.
    starts = [local("first_engaged").dt.normalize()] + [
        df[c].where(df[c] < local_day) for c in ("since", "first_invoice") if c in df]
    began = pd.concat(starts, axis=1).min(axis=1)
    df["tenure_days"] = (local_day - began).dt.days.astype("Int64")
    # Likewise recency: the customer's last message, meeting or purchase (a credit note is
    # not a purchase).
    lasts = [local("last_engaged")] + [df[c] for c in ("last_purchase",) if c in df]
    last = pd.concat(lasts, axis=1).max(axis=1)
    df["recency_days"] = ((cutoff.tz_localize(None) - last).dt.total_seconds() // 86400).astype("Int64")
    df = df.sort_values(_BY, kind="stable").reset_index(drop=True)
    # ISO text, not a date: pyarrow keeps attrs as JSON, so the table survives Parquet.
    df.attrs.update(as_of=day.isoformat())
    return df
