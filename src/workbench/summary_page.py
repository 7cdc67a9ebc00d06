"""The run's index page, ``index.html``: an executive summary an owner can read.

A few plain sentences per question -- how many customers, who is committed, which few
drain the team's energy and what letting them go or fixing them would mean, what to do
first, which response promise to publish -- with the headline figures of
``summary.json`` (and, for names and the first actions, the run's ``accounts.csv`` and
``plan.csv``), then links to each report and export.

The page is one self-contained file: inline CSS, no script, nothing fetched. Every
sentence comes from the catalogue (:mod:`workbench.i18n`) and every figure through
:mod:`workbench.formatting`, so it reads in the report's language. A figure or a whole
notebook missing from the run (a run of only some notebooks, data without invoices) leaves
its sentences out and says so in one sentence instead. Names come only from the run's own
tables, which a pseudonymized run has already replaced by codes (:mod:`workbench.privacy`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from . import formatting
from .businesstime import BusinessCalendar
from .i18n import N_, _, language, locale, ngettext
from .params import WEEKDAYS
from .promises import promise_text

TEMPLATES = Path(__file__).parent / "templates"
#: The share of messages a tier must be answered within its promise today before the
#: page proposes publishing that promise (the issue's "e.g. 80 %").
EARNED_SHARE = 0.8
#: Accounts named as the heaviest drain on the team's energy.
TOP_DRAINERS = 3
#: First actions of the plan listed.
FIRST_ACTIONS = 5
#: Above this share of the accounts carrying the Pareto share of energy, the load is
#: called spread rather than concentrated in a few.
SPREAD_ACCOUNT_SHARE = 0.3

#: What each export in a run folder is, for the list of links.
EXPORTS = {
    "plan.xlsx": N_("The communication plan as a workbook: tiers, actions, each team member's schedule"),
    "plan.csv": N_("Every scheduled contact, one per row"),
    "plan.ics": N_("The scheduled contacts as calendar events (Outlook, Google Calendar)"),
    "response_statements.md": N_("The response promises to publish, in Finnish and English"),
    "survey.md": N_("A short survey for customers whose behaviour says too little"),
    "accounts.csv": N_("One row per customer with every figure of the report"),
}
#: plan.csv's columns and the headers the export may write them under (its own msgids).
PLAN_CSV_HEADERS = {"date": "Date", "time": "Time", "member": "Team member", "name": "Customer",
                    "action": "Action", "rank": "Priority"}
#: The sections of the summary, by the notebook that supplies them.
NOTEBOOK_SECTIONS = {
    "00_overview": N_("How many customers"),
    "01_commitment": N_("Who is committed"),
    "02_energy_drain": N_("Who drains the team's energy"),
    "03_communication_plan": N_("What to do first"),
}


@dataclass
class Section:
    """One heading of the summary with its sentences (markup-safe) and a link."""

    heading: str
    sentences: list[Markup] = field(default_factory=list)
    items: list[Markup] = field(default_factory=list)
    after: list[Markup] = field(default_factory=list)  # sentences after the items
    link: tuple[str, str] | None = None  # (file, text)


@dataclass(frozen=True)
class Report:
    """One notebook report of the run: its name (``00_overview``), title and HTML file."""

    name: str
    title: str
    file: str


def _fig(text: str) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def say(message: str, plain: tuple[str, ...] = (), **figures: str) -> Markup:
    """A translated sentence with its figures filled in, escaped, and bold unless ``plain``.

    Examples
    --------
    >>> str(say("{n} of them: {what}.", plain=("what",), n="3", what="<b>"))
    '<strong>3</strong> of them: &lt;b&gt;.'
    """
    return Markup(escape(message)).format(**{k: escape(v) if k in plain else _fig(v) for k, v in figures.items()})


def _get(d: Any, *keys: str) -> Any:
    """``d[k1][k2]…``, or None when any level is missing or null."""
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _names(names: Sequence[str]) -> str:
    return format_list([str(n) for n in names], locale=locale())


def _tier_label(tier: str, params: dict[str, Any]) -> str:
    """A tier's name in the report's language (``label_fi`` in Finnish, its name otherwise)."""
    for rule in _get(params, "plan", "tiers") or []:
        if rule.get("name") == tier:
            return str(rule.get(f"label_{language()}") or (rule["name"] if language() == "en" else tier))
    return tier


def _dates(values: pd.Series) -> pd.Series:
    """Dates as an export writes them: ISO (``2026-11-02``), else day first (``2.11.2026``).

    Examples
    --------
    >>> [d.date().isoformat() for d in _dates(pd.Series(["2026-11-02", "2.11.2026"]))]
    ['2026-11-02', '2026-11-02']
    """
    iso = pd.to_datetime(values, errors="coerce", format="ISO8601")
    return iso.fillna(pd.to_datetime(values, errors="coerce", format="%d.%m.%Y"))


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, dtype={"account_id": str})
    except (OSError, ValueError):
        return None


class _Page:
    """The summary of one run: sections of sentences, and what could not be said."""

    def __init__(self, folder: Path, summary: dict[str, Any], reports: Sequence[Report]) -> None:
        self.folder = folder
        self.summary = summary
        self.books: dict[str, Any] = summary.get("notebooks") or {}
        self.params: dict[str, Any] = summary.get("params") or {}
        self.reports = {r.name: r for r in reports}
        self.accounts = _read(folder, "accounts.csv")
        self.missing_figures = False

    def link(self, name: str) -> tuple[str, str] | None:
        r = self.reports.get(name)
        return (r.file, _("Read the report: {title}").format(title=r.title)) if r else None

    def head(self, name: str, *keys: str) -> Any:
        """A headline figure of notebook ``name``; notes the gap when it is missing."""
        value = _get(self.books.get(name), *keys)
        if value is None:
            self.missing_figures = True
        return value

    # --- the sections ----------------------------------------------------------------

    def customers(self) -> Section:
        s = Section(_(NOTEBOOK_SECTIONS["00_overview"]), link=self.link("00_overview"))
        n = _num(self.head("00_overview", "customers"))
        active = _num(self.head("00_overview", "active_customers"))
        window = _num(self.head("00_overview", "window_days"))
        new = _num(self.head("00_overview", "new_customers"))
        if n is not None:
            s.sentences.append(say(ngettext("The firm has {n} customer.", "The firm has {n} customers.", int(n)),
                                   n=formatting.number(n)))
        if active is not None and window is not None:
            s.sentences.append(say(ngettext(
                "{active} of them were in contact with the firm in the last {days} day.",
                "{active} of them were in contact with the firm in the last {days} days.", int(window)),
                active=formatting.number(active), days=formatting.number(window)))
        if new is not None:
            s.sentences.append(say(ngettext("{new} customer is new in that time.",
                                            "{new} customers are new in that time.", int(new)),
                                   new=formatting.number(new)))
        per = _num(self.head("00_overview", "customers_per_member"))
        members = _num(self.head("00_overview", "team_members"))
        owners = _get(self.books.get("00_overview"), "client_facing_members")  # optional: older runs lack it
        if per is not None and members is not None and isinstance(owners, list) and 0 < len(owners) < members:
            # Customers per member divide by the members who own customers (00 says which).
            s.sentences.append(say(ngettext(
                "The team has {members} members; the one who owns customers looks after {per} customers.",
                "The team has {members} members; the {owners} who own customers look after {per} customers "
                "each on average.", len(owners)),
                members=formatting.number(members), owners=formatting.number(len(owners)),
                per=formatting.number(per)))
        elif per is not None and members is not None:
            s.sentences.append(say(ngettext(
                "The team has {members} member, who looks after {per} customers on average.",
                "The team has {members} members, who look after {per} customers each on average.",
                int(members)), members=formatting.number(members), per=formatting.number(per)))
        hours = _num(self.head("00_overview", "hours_per_relationship"))
        if hours is not None:
            s.sentences.append(say(_("A customer relationship took {hours} of the team's time on average."),
                                   hours=formatting.hours(hours, 1)))
        return s

    def commitment(self) -> Section:
        s = Section(_(NOTEBOOK_SECTIONS["01_commitment"]), link=self.link("01_commitment"))
        committed = _num(self.head("01_commitment", "committed_accounts"))
        share = _num(self.head("01_commitment", "committed_revenue_share"))
        total = _num(_get(self.books.get("00_overview"), "customers"))
        segments = {r.get("segment"): _num(r.get("accounts"))
                    for r in (self.head("01_commitment", "segments") or []) if isinstance(r, dict)}
        if total is None and segments and None not in segments.values():
            total = sum(v for v in segments.values() if v is not None)
        if committed is not None and total:
            s.sentences.append(say(ngettext(
                "{committed} of the {total} customers is committed: they stay with the firm by their own choice.",
                "{committed} of the {total} customers are committed: they stay with the firm by their own choice.",
                int(committed)), committed=formatting.number(committed), total=formatting.number(total)))
        elif committed is not None:
            s.sentences.append(say(ngettext("{committed} customer is committed.", "{committed} customers are committed.",
                                            int(committed)), committed=formatting.number(committed)))
        if share is not None:
            s.sentences.append(say(_("The committed customers bring {share} of the revenue."),
                                   share=formatting.percent(share)))
        wanted = ("entrenched", "average", "shallow", "convertible")
        if all(segments.get(k) is not None for k in wanted):
            s.sentences.append(say(_(
                "By how firmly they are committed: {entrenched} are strongly committed, {average} moderately "
                "committed, {shallow} weakly committed and {convertible} open to switching to a competitor."),
                **{k: formatting.number(segments[k]) for k in wanted}))
        elif "01_commitment" in self.books:
            self.missing_figures = True
        return s

    def energy(self) -> Section:
        s = Section(_(NOTEBOOK_SECTIONS["02_energy_drain"]), link=self.link("02_energy_drain"))
        check = _get(self.books.get("02_energy_drain"), "implausible_log") or _get(
            self.books.get("00_overview"), "implausible_log")
        if check:
            s.sentences.append(say(_(
                "Warning: the contact log holds more hours than the team can work, so it is unlikely to be a "
                "log of contacts; the figures of time and energy below are not reliable until it is checked.")))
        p = self.head("02_energy_drain", "pareto") or {}
        accounts, account_share = _num(p.get("accounts")), _num(p.get("account_share"))
        energy_share = _num(p.get("energy_share"))
        if None not in (accounts, account_share, energy_share):
            if account_share > SPREAD_ACCOUNT_SHARE:  # type: ignore[operator]
                s.sentences.append(say(_(
                    "The load is spread: it takes {accounts} customers ({account_share} of them) to make up "
                    "{energy_share} of the team's energy."), accounts=formatting.number(accounts),
                    account_share=formatting.percent(account_share), energy_share=formatting.percent(energy_share)))
            else:
                s.sentences.append(say(_(
                    "A few customers take most of the team's energy: {accounts} customers ({account_share} of them) "
                    "carry {energy_share} of it."), accounts=formatting.number(accounts),
                    account_share=formatting.percent(account_share), energy_share=formatting.percent(energy_share)))
        elif "02_energy_drain" in self.books:
            self.missing_figures = True
        top = self.drainers()
        if top:
            s.sentences.append(say(_("The most energy goes to {names}."), plain=("names",), names=_names(top)))
        n = _num(self.head("02_energy_drain", "drop_candidates"))
        w = self.head("02_energy_drain", "what_if") or {}
        if n is not None and n == 0:
            s.sentences.append(say(_("No customer is a candidate for letting go.")))
        elif n is not None:
            s.sentences.append(say(ngettext(
                "{n} customer is a candidate for letting go: much energy, and less value per energy hour than an "
                "hour of the team's time costs.",
                "{n} customers are candidates for letting go: much energy, and less value per energy hour than an "
                "hour of the team's time costs.", int(n)), n=formatting.number(n)))
            revenue, margin, hours = (_num(w.get(k)) for k in ("revenue_lost", "margin_lost", "hours_freed"))
            if None not in (revenue, margin, hours):
                s.sentences.append(say(_(
                    "Letting them go would lose {revenue} of revenue and {margin} of margin, and free {hours} of "
                    "contact time."), revenue=formatting.money(revenue), margin=formatting.money(margin),
                    hours=formatting.hours(hours)))
            refill = _num(w.get("break_even_refill_share"))
            base = _num(_get(w, "scenarios", "base", "net_change"))
            if refill is not None:
                s.sentences.append(say(_(
                    "That pays only if at least {share} of the freed hours are sold to other customers."),
                    share=formatting.percent(refill)))
            if base is not None:
                s.sentences.append(say(_(
                    "At the pace the firm has won new customers, the margin would change by {change}."),
                    change=formatting.money(base)))
            s.sentences += self.fixes(w.get("options") or {})
        return s

    def drainers(self) -> list[str]:
        a = self.accounts
        if a is None or not {"name", "energy"} <= set(a.columns):
            return []
        top = a.dropna(subset=["energy"]).sort_values("energy", ascending=False).head(TOP_DRAINERS)
        return [str(x) for x in top["name"] if pd.notna(x)]

    def fixes(self, options: dict[str, Any]) -> list[Markup]:
        """What fixing the candidates instead of letting them go would mean."""
        out = []
        price = _num(_get(options, "raise to break-even price", "margin_change"))
        if price:
            out.append(say(_("Fixing instead: raising their prices to break even would add {money} of margin."),
                           money=formatting.money(price)))
        lower = _num(_get(options, "lower-touch tier", "hours_freed"))
        if lower:
            out.append(say(_("Serving them in a lower-touch tier would free {hours} without losing revenue."),
                           hours=formatting.hours(lower)))
        policy = _num(_get(options, "response-time policy", "hours_freed"))
        if policy:
            out.append(say(_("A published response-time policy for them would free {hours}."),
                           hours=formatting.hours(policy)))
        return out

    def first_actions(self) -> Section:
        s = Section(_(NOTEBOOK_SECTIONS["03_communication_plan"]), link=self.link("03_communication_plan"))
        cap = self.head("03_communication_plan", "capacity") or {}
        start = self.head("03_communication_plan", "plan_start")
        day, actions = self.first_day()
        if day is not None:
            count = int(actions.attrs.get("count", len(actions)))
            s.sentences.append(say(ngettext(
                "The plan starts on {weekday} {date} with {n} contact that day.",
                "The plan starts on {weekday} {date} with {n} contacts that day.", count),
                weekday=format_date(day, "EEEE", locale=locale()), date=formatting.date(day),
                n=formatting.number(count)))
            for r in actions.itertuples():
                s.items.append(say(_("{who} · {customer}: {action}"), plain=("action",), who=str(r.who),
                                   customer=str(r.customer), action=str(r.action)))
        elif start:
            s.sentences.append(say(_("The plan starts on {date}."), date=formatting.date(start)))
        use, weeks = _num(cap.get("use")), _num(cap.get("horizon_weeks"))
        if use is not None and weeks is not None:
            if cap.get("fits"):
                s.sentences.append(say(ngettext(
                    "The plan fills {use} of the team's time set aside for it over the next {weeks} week.",
                    "The plan fills {use} of the team's time set aside for it over the next {weeks} weeks.",
                    int(weeks)), use=formatting.percent(use), weeks=formatting.number(weeks)))
            else:
                s.sentences.append(say(_(
                    "The plan needs {short} more than the team's time set aside for it: the report says what to "
                    "leave for later."), short=formatting.hours(_num(cap.get("shortfall_hours")))))
        moved = _num(cap.get("owner_inbound_hours_moved"))
        window = _num(_get(self.books.get("02_energy_drain"), "costing", "window_days")) or _num(
            _get(self.books.get("00_overview"), "window_days"))
        if moved and window:
            s.sentences.append(say(ngettext(
                "Sorting incoming messages before they reach the owner would have moved {hours} of answering from "
                "the owner to the team in the last {days} day.",
                "Sorting incoming messages before they reach the owner would have moved {hours} of answering from "
                "the owner to the team in the last {days} days.", int(window)),
                hours=formatting.hours(moved), days=formatting.number(window)))
        if s.items:
            s.sentences.append(say(_("The first contacts, the most urgent first:")))
        return s

    def first_day(self) -> tuple[dt.date | None, pd.DataFrame]:
        """The plan's first day and its most urgent contacts (who, customer, action)."""
        empty = pd.DataFrame(columns=["who", "customer", "action"])
        plan = _read(self.folder, "plan.csv")
        if plan is not None:
            # The export may carry its headers in the report's language: read them back.
            plan = plan.rename(columns={_(header): key for key, header in PLAN_CSV_HEADERS.items()
                                        if _(header) in plan.columns and key not in plan.columns})
        if plan is not None and {"date", "member", "name", "action"} <= set(plan.columns) and len(plan):
            plan = plan.assign(date=_dates(plan["date"])).dropna(subset=["date"])
            order = [c for c in ("rank", "time") if c in plan.columns]
            day = plan["date"].min()
            first = plan[plan["date"] == day].sort_values(order) if order else plan[plan["date"] == day]
            out = first.rename(columns={"member": "who", "name": "customer"})[["who", "customer", "action"]]
        elif self.accounts is not None and {"next_contact", "next_action", "name"} <= set(self.accounts.columns):
            a = self.accounts.assign(next_contact=pd.to_datetime(self.accounts["next_contact"], errors="coerce"))
            a = a.dropna(subset=["next_contact", "next_action"])
            if not len(a):
                return None, empty
            day = a["next_contact"].min()
            first = a[a["next_contact"] == day]
            if "energy" in first:
                first = first.sort_values("energy", ascending=False)
            who = first["assignee"] if "assignee" in first else first.get("owner", pd.Series("", index=first.index))
            out = pd.DataFrame({"who": who.fillna(""), "customer": first["name"], "action": first["next_action"]})
        else:
            return None, empty
        count = len(out)
        out = out.fillna("").head(FIRST_ACTIONS)
        out.attrs["count"] = count
        return day.date(), out

    def promise(self) -> Section:
        s = Section(_("Which response promise to publish"), link=self.link("03_communication_plan"))
        promises = _get(self.books.get("03_communication_plan"), "promises")
        if isinstance(promises, dict) and isinstance(promises.get("tiers"), dict):
            return self.earned_promises(s, promises)
        compliance = self.head("03_communication_plan", "response_compliance") or {}
        earned, unearned = [], []
        for tier, c in compliance.items():
            promise, share = _num(c.get("promise_hours")), _num(c.get("within_promise_share"))
            if promise is None or share is None:
                continue
            (earned if share >= EARNED_SHARE else unearned).append((tier, promise, share, c))
        for tier, promise, share, _c in earned:
            s.sentences.append(say(_(
                "Publish the promise for {tier}: an answer within {promise}; today {share} of messages are "
                "answered within it."), tier=_tier_label(tier, self.params), promise=self.business_hours(promise),
                share=formatting.percent(share)))
        if unearned:
            s.sentences.append(say(ngettext(
                "Not yet earned for {n} group of customers, so do not publish it for them yet:",
                "Not yet earned for {n} groups of customers, so do not publish it for them yet:",
                len(unearned)), n=formatting.number(len(unearned))))
        for tier, promise, share, c in unearned:
            p90 = _num(c.get("p90_business_hours"))
            s.items.append(say(_(
                "{tier}: an answer within {promise} is kept for {share} of messages today; one in ten waits "
                "longer than {p90}."), tier=_tier_label(tier, self.params),
                promise=self.business_hours(promise), share=formatting.percent(share),
                p90=self.business_hours(p90)))
        if unearned:
            s.after.append(say(_(
                "For them, publish the answer time the team keeps today, or first change who answers and when; "
                "the communication plan report shows both.")))
        if compliance:
            s.sentences.insert(0, say(_(
                "A promise is worth publishing when the team already keeps it for at least {share} of messages."),
                share=formatting.percent(EARNED_SHARE)))
        return s

    def earned_promises(self, s: Section, promises: dict[str, Any]) -> Section:
        """The promises as the plan judged them (``promises`` in summary.json): per tier the
        target, the share kept today and the promise to publish."""
        required = _num(promises.get("kept_share_required")) or EARNED_SHARE
        public = _num(promises.get("public_promise_hours"))
        s.sentences.append(say(_(
            "A promise is worth publishing when the team already keeps it for at least {share} of messages."),
            share=formatting.percent(required)))
        if public is not None:
            s.sentences.append(say(_(
                "Publish one promise on the website, in the e-mail signature and in the auto-reply: an answer "
                "within {promise}. The team keeps it today for every group of customers."),
                promise=self.business_hours(public)))
        else:
            s.sentences.append(say(_(
                "No single promise can be published for every customer yet: some groups of customers wait too "
                "long today.")))
        for tier, t in promises["tiers"].items():
            label = _tier_label(tier, self.params)
            target, kept = _num(t.get("target_hours")), _num(t.get("kept_share"))
            publish, status = _num(t.get("publish_hours")), t.get("status")
            if status == "earned" and target is not None and kept is not None:
                s.items.append(say(_("{tier}: an answer within {target} is kept for {kept} of messages today: "
                                     "publish it."), tier=label, target=self.business_hours(target),
                                   kept=formatting.percent(kept)))
            elif status == "proposed" and None not in (target, kept, publish):
                s.items.append(say(_("{tier}: the target of {target} is kept for only {kept} of messages today; "
                                     "publish an answer within {publish} now and work towards the target."), tier=label,
                                   target=self.business_hours(target), kept=formatting.percent(kept),
                                   publish=self.business_hours(publish)))
            elif status == "none" and target is not None and kept is not None:
                s.items.append(say(_("{tier}: the target of {target} is kept for only {kept} of messages, and no "
                                     "promise can be kept yet: answer the oldest waiting messages first."),
                                   tier=label, target=self.business_hours(target), kept=formatting.percent(kept)))
            elif status == "unmeasured" and target is not None:
                s.items.append(say(_("{tier}: no message could be judged yet, so the promise of {target} waits "
                                     "until it is measured."), tier=label, target=self.business_hours(target)))
            else:
                self.missing_figures = True
        return s

    def business_hours(self, h: float | None) -> str:
        """A promise as report 03 writes it: whole working days as days ("within 5 working
        days"), else working hours."""
        if h is None:
            return formatting.MISSING
        return promise_text(h, self.calendar())

    def calendar(self) -> BusinessCalendar:
        """The client's business hours, from the run's params (a working day's length)."""
        hours = self.params.get("business_hours") or {}
        client = self.params.get("client") or {}
        return BusinessCalendar(
            timezone=client.get("timezone", "Europe/Helsinki"),
            start=dt.time.fromisoformat(str(hours.get("start", "08:00"))),
            end=dt.time.fromisoformat(str(hours.get("end", "16:00"))),
            weekdays=tuple(WEEKDAYS.index(d) + 1 for d in hours.get("weekdays", WEEKDAYS[:5])),
            country=client.get("country", "FI"))

    # --- the whole page --------------------------------------------------------------

    def sections(self) -> list[Section]:
        builders = {"00_overview": self.customers, "01_commitment": self.commitment,
                    "02_energy_drain": self.energy, "03_communication_plan": self.first_actions}
        out = []
        for name, build in builders.items():
            if name in self.books:
                sec = build()
            else:
                sec = Section(_(NOTEBOOK_SECTIONS[name]))
                sec.sentences.append(say(_(
                    "This run did not include the report this part of the summary comes from, so it says nothing "
                    "here.")))
            out.append(sec)
            if name == "03_communication_plan" and name in self.books:
                out.append(self.promise())
        return [s for s in out if s.sentences or s.items or s.after]


def render(folder: Path, summary: dict[str, Any], reports: Sequence[Report]) -> str:
    """The index page of the run in ``folder`` as HTML, in the current language."""
    page = _Page(folder, summary, reports)
    sections = page.sections()
    notes = []
    if page.missing_figures:
        notes.append(_("Some figures are missing from this run's results (for example a run without invoices or "
                       "with only some of the reports), so the sentences that need them are left out."))
    if summary.get("inputs_changed_during_run"):
        notes.append(_("Some input files changed while the run read them: run the report again before relying "
                       "on it."))
    as_of = summary.get("as_of")
    exports = [(name, _(what)) for name, what in EXPORTS.items() if (folder / name).is_file()]
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("summary/index.html.j2").render(
        lang=language(),
        title=_("Executive summary"),
        client=summary.get("client") or "",
        as_of=formatting.date(as_of) if as_of else "",
        intro=_("What the report found, in a few sentences. Each part links to the report with the details."),
        sections=sections,
        notes=notes,
        reports_heading=_("The reports"),
        reports=[(r.file, r.title) for r in reports if (folder / r.file).is_file()],
        exports_heading=_("Files for the team"),
        exports=exports,
        as_of_label=_("Situation on {date}").format(date=formatting.date(as_of)) if as_of else "",
    )


def write_index(folder: Path, summary: dict[str, Any], reports: Sequence[Report]) -> Path:
    """Write ``index.html`` into the run ``folder`` (atomically: a temporary file moved into place)."""
    html = render(folder, summary, reports)
    target = folder / "index.html"
    tmp = folder / ".index.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
