"""Response promises that are earned, and the statements that publish them.

A promise is proposed for publication only when the team keeps it today: at least
``plan.promise_kept_share`` of customer messages (runs, as measured by
:mod:`workbench.responses`; a message never answered counts as not kept) are answered
within it, in business hours. A tier whose target is not kept gets the promise its current
answers support instead: the time that share is answered within, rounded up to the next
rung people say (1, 2 or 4 working hours, then 1, 2, 3, 5 or 10 working days), and the
page says what must change to reach the target.

One text per place: the website, the e-mail signature and the auto-reply reach every
customer, so each states one promise, the public one, which every tier keeps (the slowest
tier's published promise). The tiers' faster promises are told to their customers in
person. A message that arrives outside working hours has its time counted from the next
working morning, so no text promises evening mail a faster answer than daytime mail.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import i18n
from .businesstime import BusinessCalendar
from .formatting import percent
from .i18n import _, ngettext, override
from .params import Params, PlanTier

#: The places a statement is published, as (key, catalogue label).
PLACES = (("website", "Website"), ("signature", "E-mail signature"), ("auto-reply", "Auto-reply"))

_FI_GENITIVE = {1: "yhden", 2: "kahden", 3: "kolmen", 4: "neljän", 5: "viiden", 6: "kuuden",
                7: "seitsemän", 8: "kahdeksan", 9: "yhdeksän", 10: "kymmenen"}
_FI_DAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def promise_text(hours: float, calendar: BusinessCalendar, language: str | None = None) -> str:
    """A promise in business hours as people say it: "4 working hours", "one working day".

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> promise_text(16, cal, "en"), promise_text(16, cal, "fi"), promise_text(4, cal, "fi")
    ('2 working days', 'kahden arkipäivän', 'neljän työtunnin')
    """
    language = language or i18n.language()
    day = (calendar.end_minute - calendar.start_minute) / 60
    days = hours / day if day else 0
    whole_days = days >= 1 and abs(days - round(days)) < 1e-9
    n = int(round(days)) if whole_days else hours
    if language == "fi":
        word = _FI_GENITIVE.get(int(n), f"{n:g}") if float(n).is_integer() else f"{n:g}"
        return f"{word} {'arkipäivän' if whole_days else 'työtunnin'}"
    unit = "working day" if whole_days else "working hour"
    return f"{'one' if n == 1 else f'{n:g}'} {unit}{'' if n == 1 else 's'}"


def promise_duration(hours: float, calendar: BusinessCalendar) -> str:
    """A promise as a duration on its own (a table cell), in the report's language:
    ``'2 working days'``, ``'2 arkipäivää'`` (:func:`promise_text` is the form a sentence
    uses before "within"/"kuluessa").

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> with override("fi"):
    ...     promise_duration(16, cal), promise_duration(4, cal)
    ('2 arkipäivää', '4 työtuntia')
    """
    day = (calendar.end_minute - calendar.start_minute) / 60
    days = hours / day if day else 0
    if days >= 1 and abs(days - round(days)) < 1e-9:
        n = int(round(days))
        return ngettext("{n} working day", "{n} working days", n).format(n=n)
    n = int(hours) if float(hours).is_integer() else hours
    return ngettext("{n} working hour", "{n} working hours", n if isinstance(n, int) else 2).format(n=f"{n:g}")


def _days_text(cal: BusinessCalendar, language: str) -> str:
    names = _FI_DAYS if language == "fi" else _EN_DAYS
    d = sorted(cal.weekdays)
    span = f"{names[d[0] - 1]}–{names[d[-1] - 1]}" if d == list(range(d[0], d[-1] + 1)) else ", ".join(names[i - 1] for i in d)
    if language == "fi":
        return f"{span} klo {cal.start:%-H.%M}–{cal.end:%-H.%M}"
    return f"{span} {cal.start:%-H:%M}–{cal.end:%-H:%M}"


def promise_ladder(calendar: BusinessCalendar) -> list[float]:
    """The promises people say, in business hours: 1, 2 and 4 working hours (those shorter
    than a working day), then 1, 2, 3, 5 and 10 working days.

    Examples
    --------
    >>> promise_ladder(BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI"))
    [1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 40.0, 80.0]
    """
    day = (calendar.end_minute - calendar.start_minute) / 60 or 8.0
    return [float(h) for h in (1, 2, 4) if h < day] + [day * k for k in (1, 2, 3, 5, 10)]


def kept_within(hours: np.ndarray, share: float) -> float:
    """The time ``share`` of the messages are answered within (``inf`` when more than
    1 − ``share`` are never answered). ``hours`` holds ``inf`` for a message never answered.

    The observed value at the share's rank (no interpolation), so the answer is one a
    customer really waited.

    Examples
    --------
    >>> kept_within(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 0.8)
    4.0
    >>> kept_within(np.array([1.0, np.inf, np.inf, 4.0, 5.0]), 0.8)
    inf
    """
    h = np.sort(np.asarray(hours, dtype="float64"))
    if not len(h):
        return math.nan
    return float(h[max(0, math.ceil(share * len(h)) - 1)])


def supported_promise(hours: np.ndarray, share: float, ladder: list[float]) -> float:
    """The first rung of ``ladder`` that ``share`` of the messages are answered within;
    NaN when none is (too many never answered, or slower than the last rung)."""
    q = kept_within(hours, share)
    return next((r for r in ladder if r >= q - 1e-9), math.nan)


def earned_promises(runs: pd.DataFrame, tiers: tuple[PlanTier, ...], params: Params,
                    calendar: BusinessCalendar) -> pd.DataFrame:
    """Per tier: the target promise, the share kept today, and the promise to publish.

    ``runs`` are :func:`workbench.responses.response_runs` (open runs, still inside their
    promise at ``as_of``, are not judged). Columns: ``tier, target_hours, runs,
    kept_share`` (within the target), ``kept_within_hours`` (the time
    ``plan.promise_kept_share`` of them are answered within; ``inf`` when too many are never
    answered), ``earned`` (the target is kept), ``publish_hours`` (the target when earned,
    else the rung current answers support; NaN when none), ``status`` (``earned``,
    ``proposed``, ``none`` or ``unmeasured``).
    """
    share = params.plan.promise_kept_share
    ladder = promise_ladder(calendar)
    judged = runs[~runs["open"]] if len(runs) else runs
    rows = []
    for t in tiers:
        mine = judged[judged["tier"] == t.name] if len(judged) else judged
        h = mine["business_hours"].astype("float64").fillna(np.inf).to_numpy() if len(mine) else np.array([])
        kept = float((h <= t.response_hours + 1e-9).mean()) if len(h) else math.nan
        earned = bool(len(h) and kept >= share - 1e-12)
        supported = supported_promise(h, share, ladder) if len(h) else math.nan
        publish = float(t.response_hours) if earned else supported
        status = "unmeasured" if not len(h) else "earned" if earned else "proposed" if publish == publish else "none"
        rows.append({"tier": t.name, "target_hours": float(t.response_hours), "runs": len(h), "kept_share": kept,
                     "kept_within_hours": kept_within(h, share) if len(h) else math.nan,
                     "earned": earned, "publish_hours": publish, "status": status})
    return pd.DataFrame(rows)


def public_promise(promises: pd.DataFrame) -> float:
    """The one promise the website, the signature and the auto-reply state: the slowest
    tier's published promise, so every tier keeps it. NaN when a measured tier supports no
    promise at all (it would be broken for that tier) or nothing is measured.

    Examples
    --------
    >>> public_promise(pd.DataFrame({"publish_hours": [4.0, 16.0, np.nan], "status": ["earned", "proposed", "unmeasured"]}))
    16.0
    """
    measured = promises[promises["status"] != "unmeasured"]
    if measured.empty or measured["publish_hours"].isna().any():
        return math.nan
    return float(measured["publish_hours"].max())


def promise_verdict(row: pd.Series, share: float, calendar: BusinessCalendar, tier_label: str) -> str:
    """One tier's verdict in a sentence: publish the target, or what to publish instead and
    what must change (markdown, in the report's language)."""
    target = promise_text(row["target_hours"], calendar)
    if row["status"] == "unmeasured":
        return _("*{tier}*: no customer message could be judged yet, so the promise of {target} is not "
                 "proposed for publication until it is measured.").format(tier=tier_label, target=target)
    if row["status"] == "earned":
        return _("*{tier}*: {kept} of messages are answered within {target} today, so the promise is kept "
                 "and can be published.").format(tier=tier_label, kept=percent(row["kept_share"]), target=target)
    if row["status"] == "none":
        return _("*{tier}*: only {kept} of messages are answered within {target}, and more than {rest} wait "
                 "longer than {longest} or get no answer, so no promise can be kept for {share} of them: answer "
                 "the oldest waiting messages first, then measure again.").format(
            tier=tier_label, kept=percent(row["kept_share"]), target=target, share=percent(share),
            rest=percent(1 - share), longest=promise_text(promise_ladder(calendar)[-1], calendar))
    return _("*{tier}*: only {kept} of messages are answered within {target} today, so that promise is not "
             "published; {share} are answered within {supported}, which is the promise proposed now. To "
             "publish {target}, the share answered within it must rise from {kept} to {share}.").format(
        tier=tier_label, kept=percent(row["kept_share"]), target=target, share=percent(share),
        supported=promise_text(row["publish_hours"], calendar))


def _statement(place: str, promise: str, days: str) -> str:
    if place == "website":
        return _("We answer every message within {promise}. We work {days}, public holidays excepted; for a "
                 "message that arrives outside these hours, the time counts from the start of the next working "
                 "day.").format(promise=promise, days=days)
    if place == "signature":
        return _("We answer messages within {promise} ({days}).").format(promise=promise, days=days)
    return _("Thank you for your message! We have received it and will answer within {promise}. We work "
             "{days}, public holidays excepted; for a message that arrives outside these hours, the time "
             "counts from the start of the next working day.").format(promise=promise, days=days)


def public_sentence(promises: pd.DataFrame, runs: pd.DataFrame, share: float, calendar: BusinessCalendar) -> str:
    """Whether the public statements can be published, and if not what they wait for (markdown)."""
    public = public_promise(promises)
    if public == public:
        return _("The website, the e-mail signature and the auto-reply can promise **{promise}**: every tier has "
                 "at least {share} of its messages answered within it today.").format(
            promise=promise_text(public, calendar), share=percent(share))
    target = draft_promise(promises)
    judged = runs[~runs["open"]] if len(runs) else runs
    if not len(judged):
        return _("**No response promise can be published yet**: no customer message could be timed. The texts "
                 "below are drafts for **{promise}** (the slowest tier's target); measure before publishing them.").format(
            promise=promise_text(target, calendar))
    kept = (judged["business_hours"].fillna(np.inf) <= target + 1e-9).mean() if len(judged) else math.nan
    return _("**No response promise can be published yet**: not every tier has {share} of its messages answered "
             "within a promise it could keep. The texts below are drafts for **{promise}** (the slowest tier's "
             "target); publish them once {share} of every tier's messages are answered within it. Today {kept} "
             "of all messages are.").format(share=percent(share), promise=promise_text(target, calendar),
                                            kept=percent(kept))


def draft_promise(promises: pd.DataFrame) -> float:
    """The promise the public statements make: the public promise when one is kept, else
    the slowest tier's target (a draft, not to be published until it is kept)."""
    public = public_promise(promises)
    return public if public == public else float(promises["target_hours"].max())


def response_statements(promise_hours: float, calendar: BusinessCalendar, ready: bool = True) -> pd.DataFrame:
    """The public statements: one per place (website, e-mail signature, auto-reply), in
    the report's language (``text``) with the other language alongside (``other``);
    ``ready`` False marks drafts for a promise not kept yet.

    Empty when ``promise_hours`` is NaN.

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> s = response_statements(16, cal)
    >>> print(s.set_index("place").loc["signature", "other"])
    Vastaamme viesteihin kahden arkipäivän kuluessa (ma–pe klo 8.00–16.00).
    """
    cols = ["place", "language", "text", "other_language", "other", "ready"]
    if promise_hours != promise_hours:
        return pd.DataFrame(columns=cols)
    mine = i18n.language()
    other = "en" if mine == "fi" else "fi"
    rows = []
    for place, _label in PLACES:
        texts = {}
        for lang in (mine, other):
            with override(lang):
                texts[lang] = _statement(place, promise_text(promise_hours, calendar, lang), _days_text(calendar, lang))
        rows.append((place, mine, texts[mine], other, texts[other], ready))
    return pd.DataFrame(rows, columns=cols)
