"""The explorer's account table: commitment, energy and plan side by side, per account.

What ``notebooks/explore.ipynb`` filters, sorts and opens one account of. Every figure
here comes from :mod:`workbench.commitment`, :mod:`workbench.energy` and
:mod:`workbench.plan`; this module only joins and words them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .actions import channel_label
from .commitment import confidence_name, describe_drivers, segment_name
from .energy import EnergyDrain
from .formatting import date, hours, money, number, percent
from .i18n import N_, _, ngettext
from .plan import CommunicationPlan

_BY = "account_id"

#: Orders of the explorer's account table: key -> (label, column, ascending). Ties break
#: on the account id, so a table sorted twice reads the same.
ACCOUNT_SORTS: dict[str, tuple[str, str, bool]] = {
    "energy": (N_("most energy first"), "energy", False),
    "net_value": (N_("lowest net value first"), "net_value", True),
    "commitment": (N_("least committed first"), "commitment_score", True),
    "next_contact": (N_("next contact first"), "next_contact", True),
    "rank": (N_("plan order"), "rank", True),
}
#: The columns of the explorer's table, named as in ``accounts.csv``. The drop reasons and
#: the details of the next action are long: :func:`account_card` gives them in full.
ACCOUNT_VIEW_COLUMNS = ("name", "tier", "commitment_score", "segment", "confidence", "energy", "energy_share",
                        "cost_to_serve", "net_value", "drop_candidate", "next_action", "next_contact")


def account_table(metrics: pd.DataFrame, scores: pd.DataFrame, drain: EnergyDrain,
                  plan: CommunicationPlan) -> pd.DataFrame:
    """One row per account joining its facts, commitment, energy and plan, in plan order.

    The same columns as ``accounts.csv`` names them (commitment: ``commitment_score,
    segment, committed, confidence, drivers``; energy: ``energy, energy_share,
    cost_to_serve, net_value, drop_candidate, reasons, kept_because`` and the counts
    behind them; plan: ``rank, tier, tier_reason, next_action, next_contact, assignee,
    preferred_channel``), for the explorer notebook to filter, sort and pick from.
    """
    acc = plan.accounts
    out = acc[[c for c in (_BY, "rank", "name", "owner", "tier", "tier_reason", "preferred_channel", "time_of_day",
                           "next_action", "next_contact", "assignee", "openness", "survey_last") if c in acc]]
    out = out.merge(scores[[_BY, "commitment_score", "segment", "committed", "confidence", "drivers"]],
                    on=_BY, how="left")
    b = drain.breakdown
    out = out.merge(b[[c for c in (_BY, "tenure_days", "revenue", "margin", "effort_hours", "n_interactions",
                                   "n_inbound", "after_hours_inbound", "off_day_inbound", "chasers", "complaints",
                                   "energy", "energy_share", "cost_to_serve", "net_value") if c in b]],
                    on=_BY, how="left")
    out = out.merge(drain.decisions[[_BY, "high_energy", "drop_candidate", "reasons", "kept_because"]],
                    on=_BY, how="left")
    m = metrics[[c for c in (_BY, "since", "contract", "protected", "last_seen") if c in metrics]]
    out = out.merge(m, on=_BY, how="left")
    if "last_seen" in out:  # the client's day, as every date people read here
        out["last_seen"] = pd.to_datetime(out["last_seen"], utc=True).dt.tz_convert(plan.calendar.timezone).dt.date
    return out.sort_values("rank", kind="stable").reset_index(drop=True)


def _one_of(value: str | None, allowed: list[str], what: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of: {', '.join(map(repr, allowed))} (or None for all)")


def account_slice(table: pd.DataFrame, *, segment: str | None = None, tier: str | None = None,
                  sort: str = "energy") -> pd.DataFrame:
    """The accounts of ``table`` (:func:`account_table`) in a segment and tier, sorted.

    ``None`` keeps every segment (tier); ``sort`` is a key of :data:`ACCOUNT_SORTS`. An
    unknown segment, tier or sort raises ``ValueError`` naming the ones there are.

    Examples
    --------
    >>> t = pd.DataFrame({"account_id": ["a", "b", "c"], "segment": ["shallow", "average", "shallow"],
    ...                   "tier": ["core", "core", "grow"], "energy": [1.0, 3.0, 2.0]})
    >>> account_slice(t, segment="shallow")["account_id"].tolist()
    ['c', 'a']
    """
    _one_of(segment, sorted(table["segment"].dropna().unique()), "segment")
    _one_of(tier, sorted(table["tier"].dropna().unique()), "tier")
    _one_of(sort, list(ACCOUNT_SORTS), "sort")
    keep = pd.Series(True, index=table.index)
    if segment is not None:
        keep &= table["segment"] == segment
    if tier is not None:
        keep &= table["tier"] == tier
    _, col, ascending = ACCOUNT_SORTS[sort]
    return table[keep].sort_values([col, _BY], ascending=[ascending, True], na_position="last",
                                   kind="stable").reset_index(drop=True)


def heaviest_account(table: pd.DataFrame, *, segment: str | None = None, tier: str | None = None) -> str:
    """The id of the account with the most energy in a segment and tier (ties: the lowest
    id); in the whole portfolio when no account is in that slice."""
    accounts = account_slice(table, segment=segment, tier=tier, sort="energy")
    return str((accounts if len(accounts) else account_slice(table, sort="energy"))[_BY].iloc[0])


def account_view(accounts: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The first ``n`` rows of an account slice for people: :data:`ACCOUNT_VIEW_COLUMNS`,
    rounded, indexed by account id; ``next_action`` only up to its details ("Call back
    about what went wrong (phone)"), which the account's card has in full."""
    cols = [c for c in ACCOUNT_VIEW_COLUMNS if c in accounts]
    view = accounts.head(n).set_index(_BY)[cols].copy()
    if "next_action" in view:
        view["next_action"] = view["next_action"].str.split(": ", n=1).str[0]
    view = view.round({"commitment_score": 0, "energy": 1, "energy_share": 4, "cost_to_serve": 0, "net_value": 0})
    return view.astype({c: "Int64" for c in ("commitment_score", "cost_to_serve", "net_value") if c in view})


def slice_summary(accounts: pd.DataFrame, table: pd.DataFrame) -> str:
    """How big a slice is against the whole portfolio, in one sentence (markdown)."""
    if accounts.empty:
        return _("No account is in this slice.")
    total = float(table["energy"].sum())
    share = float(accounts["energy"].sum()) / total if total else 0.0
    cands = int(accounts["drop_candidate"].fillna(False).astype(bool).sum())
    value = (_("net value {value}").format(value=money(float(accounts["net_value"].sum())))
             if accounts["net_value"].notna().any() else _("net value unknown (no invoices)"))
    return _("**{n}** of {total} accounts, carrying **{share}** of the energy; {value}, {candidates}.").format(
        n=number(len(accounts)), total=number(len(table)), share=percent(share), value=value,
        candidates=ngettext("{n} drop candidate", "{n} drop candidates", cands).format(n=number(cands)))


def account_card(table: pd.DataFrame, account_id: str, tier_names: Mapping[str, str] | None = None) -> str:
    """One account's key facts, commitment, energy and plan, as markdown, in the report's
    language.

    ``table`` is :func:`account_table`; ``tier_names`` the tiers as the report names them
    (:meth:`workbench.CommunicationPlan.tier_labels`; default: their params names). An
    unknown id raises ``ValueError``.
    """
    tier_names = tier_names or {}
    rows = table[table[_BY] == account_id]
    if rows.empty:
        raise ValueError(f"account {account_id!r} is not in the portfolio; the ids are in the table above "
                         f"(e.g. {', '.join(map(repr, table[_BY].head(3)))})")
    r = rows.iloc[0]

    def has(col: str) -> bool:
        return col in r and pd.notna(r[col]) and r[col] != ""

    name = r["name"] if has("name") else account_id
    head = [f"### {name} ({account_id})", ""]
    facts = []
    if has("owner"):
        facts.append(_("owner {owner}").format(owner=r["owner"]))
    if has("since"):
        since = date(pd.Timestamp(r["since"]).date())
        facts.append(_("customer since {since} ({years} years)").format(
            since=since, years=number(r["tenure_days"] / 365.25, 1)) if has("tenure_days")
            else _("customer since {since}").format(since=since))
    if has("contract"):
        facts.append(_("{contract} contract").format(contract=r["contract"]))
    if has("protected") and bool(r["protected"]):
        facts.append(_("protected (never suggested for dropping)"))
    if facts:
        text = "; ".join(facts)
        head.append(text[0].upper() + text[1:] + ".")
        head.append("")

    score = segment_name("unscored") if pd.isna(r["commitment_score"]) else f"**{number(r['commitment_score'])}**/100"
    drivers = f"; {describe_drivers(r['drivers'])}" if has("drivers") else ""
    survey = _("; last survey {score}").format(score=number(r["survey_last"], 1)) if has("survey_last") else ""
    lines = [_("- **Commitment**: {score}, {segment} (confidence {confidence}){drivers}{survey}.").format(
        score=score, segment=segment_name(r["segment"]), confidence=confidence_name(r["confidence"]),
        drivers=drivers, survey=survey)]

    # Without a contact log (cost to serve unknown) contact and energy are unknown, not 0.
    logged = has("cost_to_serve")

    def count(singular: str, plural: str, col: str) -> str:
        n = int(r.get(col, 0) or 0)
        return ngettext(singular, plural, n).format(n=number(n))

    if logged:
        last = (_("; last contact {day}").format(day=date(pd.Timestamp(r["last_seen"]).date()))
                if has("last_seen") else "")
        lines.append(_("- **Contact in the window**: {interactions}, {n_in} from the customer; {ah} of those "
                       "outside business hours ({off} on weekends or holidays), {chasers}, {complaints}{last}.").format(
            interactions=count("{n} interaction", "{n} interactions", "n_interactions"),
            n_in=number(int(r.get("n_inbound", 0) or 0)), ah=number(int(r.get("after_hours_inbound", 0) or 0)),
            off=number(int(r.get("off_day_inbound", 0) or 0)),
            chasers=count("{n} chaser", "{n} chasers", "chasers"),
            complaints=count("{n} complaint", "{n} complaints", "complaints"), last=last))
        high = bool(r.get("high_energy", False))
        value = (_("revenue {revenue}, net value **{net}**").format(revenue=money(r["revenue"]), net=money(r["net_value"]))
                 if has("net_value") else _("revenue and net value unknown (no invoices)"))
        lines.append((_("- **Energy**: **{energy}** ({share} of the portfolio's; in the high-energy set), cost to "
                        "serve {cost}; {value}.") if high else
                      _("- **Energy**: **{energy}** ({share} of the portfolio's), cost to serve {cost}; {value}.")).format(
            energy=hours(r["energy"], 1), share=percent(r["energy_share"], 1), cost=money(r["cost_to_serve"]),
            value=value))
    else:
        lines.append(_("- **Contact and energy**: unknown (no contact log); revenue {revenue}.").format(
            revenue=money(r["revenue"]) if has("revenue") else _("unknown (no invoices)")))
    if bool(r.get("drop_candidate", False)):
        lines.append(_("- **Drop candidate**: {reasons}.").format(reasons=r["reasons"]))
    elif has("kept_because"):
        lines.append(_("- **Not a drop candidate**: {why}.").format(why=r["kept_because"]))
    reason = r["tier_reason"]
    if bool(r.get("drop_candidate", False)) and reason.startswith(_("drop candidate")):
        reason = _("drop candidate")  # the reasons are in the line above
    when = (f"**{date(pd.Timestamp(r['next_contact']).date())}**" if has("next_contact")
            else _("not within the plan's horizon"))
    how = ", ".join([r["assignee"]] * has("assignee") + [channel_label(r["preferred_channel"])] * has("preferred_channel"))
    lines.append(_("- **Plan**: tier **{tier}** ({reason}). Next contact {when}{how}: {action}.").format(
        tier=tier_names.get(r["tier"], r["tier"]), reason=reason, when=when, how=f" ({how})" if how else "",
        action=r["next_action"]))
    return "\n".join(head + lines)
