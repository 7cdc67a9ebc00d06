"""What each customer values, inferred from behaviour (DESIGN.md, "Tiers and plan").

The channel it writes on and answers our contact on, the hour it writes, the services it
buys. Where it wrote too little to tell, it gets a short survey instead of a guess.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .businesstime import BusinessCalendar
from .params import Params
from .portfolio import Portfolio

_BY = "account_id"


def contact_preferences(events: pd.DataFrame, accounts: pd.Series, params: Params,
                        calendar: BusinessCalendar, tier_channels: pd.Series) -> pd.DataFrame:
    """Per account the channel and hour it values, from behaviour, within its tier's channels.

    A channel scores its share of the account's inbound plus the share of our messages on
    it the account answered within seven days (how it responds to our outbound). The hour
    is the median local hour of its inbound within business hours. With fewer than
    ``plan.min_events_for_preference`` inbound messages behaviour says too little: the
    tier's first channel is used and ``survey_needed`` is set.
    """
    ev = events.sort_values([_BY, "ts", "seq"], kind="stable")
    nxt_in = ev.groupby(_BY)["direction"].shift(-1).eq("in")
    gap_h = (ev.groupby(_BY)["ts"].shift(-1) - ev["ts"]).dt.total_seconds() / 3600
    ev = ev.assign(replied=(ev["direction"] == "out") & nxt_in & (gap_h <= 7 * 24),
                   reply_h=gap_h.where((ev["direction"] == "out") & nxt_in))
    inbound = ev[ev["direction"] == "in"]
    n_in = inbound.groupby([_BY, "channel"]).size().unstack(fill_value=0)
    outb = ev[ev["direction"] == "out"]
    reply = outb.groupby([_BY, "channel"])["replied"].mean().unstack()
    share = n_in.div(n_in.sum(axis=1).replace(0, np.nan), axis=0)
    score = share.add(reply, fill_value=0).fillna(0)
    hours = inbound["ts"].dt.tz_convert(calendar.timezone).dt.hour
    within = hours[(hours >= calendar.start.hour) & (hours < calendar.end_minute / 60)]
    pref_hour = within.groupby(inbound.loc[within.index, _BY]).median()
    reply_h = ev.groupby(_BY)["reply_h"].median()
    total_in = n_in.sum(axis=1)

    # Every account's tier channels in the tier's order, scored; the best is the highest
    # score, ties to the tier's earlier channel. One table for all accounts: a lookup per
    # account took minutes at 100 000 accounts.
    allowed = pd.DataFrame({_BY: list(accounts), "channel": [list(tier_channels[a]) for a in accounts]})
    first = allowed.set_index(_BY)["channel"].str[0]
    allowed = allowed.explode("channel")
    allowed["pos"] = allowed.groupby(_BY, sort=False).cumcount()
    allowed["score"] = pd.Series(score.stack(), dtype="float64").reindex(
        pd.MultiIndex.from_arrays([allowed[_BY], allowed["channel"]])).fillna(0).to_numpy()
    top = (allowed.sort_values([_BY, "score", "pos"], ascending=[True, False, True], kind="stable")
           .drop_duplicates(_BY).set_index(_BY))
    acc = pd.Index(list(accounts))
    enough = (total_in.reindex(acc).fillna(0) >= params.plan.min_events_for_preference).to_numpy()
    chosen = enough & (top["score"].reindex(acc).to_numpy() > 0)
    best = np.where(chosen, top["channel"].reindex(acc).to_numpy(), first.reindex(acc).to_numpy())
    on_best = pd.Series(n_in.stack(), dtype="float64").reindex(pd.MultiIndex.from_arrays([acc, best])).fillna(0)
    answered = pd.Series(reply.stack(), dtype="float64").reindex(pd.MultiIndex.from_arrays([acc, best]))
    basis = [
        (f"{int(n)} of its {int(t)} messages on {b}"
         + (f", answers {r:.0%} of ours there".replace("%", " %") if pd.notna(r) else ""))
        if c else "too little behaviour: the tier's first channel"
        for c, n, t, b, r in zip(chosen, on_best.to_numpy(), total_in.reindex(acc).fillna(0).to_numpy(), best,
                                 answered.to_numpy())
    ]
    latest = max(calendar.start.hour, calendar.end.hour - 1)
    hour = [int(np.clip(round(h) if pd.notna(h) else 10, calendar.start.hour, latest))
            for h in pref_hour.reindex(acc).to_numpy()]
    return pd.DataFrame({
        _BY: list(accounts), "preferred_channel": [str(b) for b in best], "channel_basis": basis,
        "preferred_hour": hour,
        "time_of_day": ["morning" if h < 11 else "midday" if h < 13 else "afternoon" for h in hour],
        "reply_hours_median": [round(float(x), 1) for x in reply_h.reindex(acc).to_numpy()],
        "survey_needed": ~enough,
    })


def services_bought(portfolio: Portfolio, as_of: dt.date, window_days: int = 365) -> pd.DataFrame:
    """Per account the services bought in the window, and the portfolio's most bought one it lacks."""
    if not portfolio.has("invoices") or "service" not in portfolio.invoices:
        return pd.DataFrame(columns=[_BY, "services", "next_service"])
    inv = portfolio.invoices
    cur = inv[(inv["date"] < pd.Timestamp(as_of)) & (inv["date"] >= pd.Timestamp(as_of) - pd.Timedelta(days=window_days))]
    cur = cur.dropna(subset=["service"])
    popular = cur.groupby("service")[_BY].nunique().sort_values(ascending=False, kind="stable").index.tolist()
    have = cur.groupby(_BY)["service"].agg(lambda s: sorted(set(s)))
    rows = [{_BY: a, "services": ", ".join(s), "next_service": next((x for x in popular if x not in s), "")}
            for a, s in have.items()]
    return pd.DataFrame(rows, columns=[_BY, "services", "next_service"])


def survey_template(language: str = "en") -> str:
    """A five-question survey for accounts whose behaviour says too little (markdown).

    Examples
    --------
    >>> "1." in survey_template("fi") and "1." in survey_template("en")
    True
    """
    if language == "fi":
        return ("**Miten haluat asioida kanssamme?**\n\n"
                "1. Millä kanavalla haluat meidän ottavan yhteyttä? (sähköposti / puhelin / tekstiviesti / tapaaminen)\n"
                "2. Mihin aikaan päivästä yhteydenotto sopii sinulle parhaiten? (aamu / keskipäivä / iltapäivä)\n"
                "3. Kuinka usein haluat kuulla meistä? (kuukausittain / neljännesvuosittain / vain tarvittaessa)\n"
                "4. Mitä arvostat palvelussamme eniten, ja mitä toivoisit meidän tekevän toisin?\n"
                "5. Onko jotain, missä voisimme auttaa enemmän? (esim. palkanlaskenta, tilinpäätös, veroneuvonta)\n")
    return ("**How would you like to work with us?**\n\n"
            "1. Which channel should we use to contact you? (e-mail / phone / text message / meeting)\n"
            "2. What time of day suits you best? (morning / midday / afternoon)\n"
            "3. How often would you like to hear from us? (monthly / quarterly / only when needed)\n"
            "4. What do you value most in our service, and what would you like us to do differently?\n"
            "5. Is there anything more we could help you with?\n")

