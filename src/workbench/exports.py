"""The plan's exports: plan.xlsx, plan.csv, the calendars, the statements and the survey."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import unicodedata
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .actions import channel_label
from .formatting import yes_no
from .i18n import N_, _, currency, language
from .preferences import survey_template
from .promises import PLACES
from .schedule import week_number
from .tiers import rule_text, tier_label, tier_theme

if TYPE_CHECKING:
    from .plan import CommunicationPlan

_BY = "account_id"


def statements_markdown(plan: CommunicationPlan) -> str:
    """The statements to hand to the client (markdown): one text per place, in the report's
    language with the other language below it, then each tier's promise and whether it is kept."""
    s = plan.statements()
    places = dict(PLACES)
    lines = ["# " + _("Response times"), "", plan.public_sentence(), ""]
    for r in s.itertuples(index=False):
        lines += [f"## {_(places[r.place])}", "", r.text, "", f"*{r.other}*", ""]
    lines += ["## " + _("The promise per tier"), "", plan.promise_verdicts(), ""]
    return "\n".join(lines)


def write_plan(out_dir: str | Path, plan: CommunicationPlan, *, pseudonymized: bool | None = None) -> dict[str, Path]:
    """Write plan.xlsx, plan.csv, the calendars, response_statements.md and survey.md into ``out_dir``.

    Returns the written files by kind: ``xlsx``, ``csv``, ``ics`` (every contact), one
    ``ics:<member>`` per team member, ``statements`` and ``survey``. A calendar event has a
    stable UID (plan start, account, contact number), so re-importing an updated plan
    updates events instead of duplicating them. Headers, sheet names and event texts are in
    the report's language. ``pseudonymized`` (default: the plan's params) keeps the team's
    e-mail addresses out of the calendars.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"xlsx": out / "plan.xlsx", "csv": out / "plan.csv", "ics": out / "plan.ics",
             "statements": out / "response_statements.md", "survey": out / "survey.md"}
    hidden = plan.params.report.pseudonymize if pseudonymized is None else pseudonymized
    sched = schedule_export(plan)
    columns = SCHEDULE_COLUMNS
    sched.rename(columns={c: _(h) for c, (h, _k) in columns.items()}).to_csv(files["csv"], index=False, encoding="utf-8")
    _write_xlsx(files["xlsx"], plan, sched)
    files["ics"].write_bytes(plan_ics(plan, pseudonymized=hidden))
    for member in sorted(plan.schedule["member"].unique()):
        path = out / f"plan-{_slug(member)}.ics"
        path.write_bytes(plan_ics(plan, member=member, pseudonymized=hidden))
        files[f"ics:{member}"] = path
    files["statements"].write_text(statements_markdown(plan), encoding="utf-8")
    files["survey"].write_text(survey_template("fi") + "\n---\n\n" + survey_template("en"), encoding="utf-8")
    return files


def _slug(text: str) -> str:
    """A file-name and address-safe form of a name: ``'Niko Hietala'`` → ``'niko-hietala'``.

    Examples
    --------
    >>> _slug("Äijä Öhman"), _slug("Tiimiläinen 3F2A")
    ('aija-ohman', 'tiimilainen-3f2a')
    """
    flat = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", flat.lower()).strip("-") or "member"


#: The schedule as exported: column → (header, kind). Kinds as :mod:`workbench.tables`,
#: plus ``time`` (a time of day) and ``week`` (the plan week, counted from 1 as in the figure).
SCHEDULE_COLUMNS = {
    "date": (N_("Date"), "date"), "time": (N_("Time"), "time"), "week": (N_("Plan week"), "count"),
    "member": (N_("Team member"), "text"), "account_id": (N_("Customer id"), "text"),
    "name": (N_("Customer"), "text"), "tier": (N_("Tier"), "text"), "channel": (N_("Channel"), "text"),
    "minutes": (N_("Minutes"), "count"), "contact_no": (N_("Contact no."), "count"),
    "rank": (N_("Priority"), "count"), "action": (N_("Action"), "text"), "uid": (N_("Calendar id"), "text"),
}


def schedule_export(plan: CommunicationPlan) -> pd.DataFrame:
    """One row per scheduled contact, with the columns of :data:`SCHEDULE_COLUMNS`: the
    tier and channel as people say them, weeks counted from 1 as in the capacity figure."""
    s = plan.schedule
    labels = {t.name: tier_label(t) for t in plan.tier_rules}
    return pd.DataFrame({
        "date": s["date"], "time": s["start"].dt.time, "week": week_number(s["week"]), "member": s["member"],
        "account_id": s[_BY], "name": s["name"], "tier": s["tier"].map(labels), "channel": s["channel"].map(channel_label),
        "minutes": s["minutes"], "contact_no": s["touch"] + 1, "rank": s["rank"], "action": s["action"],
        "uid": s["uid"],
    }, columns=list(SCHEDULE_COLUMNS))


def _excel_formats() -> dict[str, str]:
    """Excel number formats per kind, in the report's locale (Excel shows the separators
    of the reader's own settings; the codes fix the unit and the order)."""
    fi = language() == "fi"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "SEK": "kr"}.get(currency(), currency())
    return {
        "money": f'#,##0 "{symbol}"' if fi or symbol == "kr" else f'"{symbol}"#,##0',
        "share": "0 %" if fi else "0%", "date": "d.m.yyyy" if fi else "dd/mm/yyyy", "time": "hh:mm",
        "hours": "0.0", "number": "0.0", "count": "0", "ratio": "0.00",
    }


def _sheets(plan: CommunicationPlan, sched: pd.DataFrame) -> list[tuple[str, pd.DataFrame, dict[str, tuple[str, str]]]]:
    """The workbook: (sheet title, frame, {column: (header, kind)}) per sheet."""
    labels = {t.name: tier_label(t) for t in plan.tier_rules}
    rules = {t.name: t for t in plan.tier_rules}
    tiers = plan.tiers.assign(tier=plan.tiers["tier"].map(labels),
                              rule=[rule_text(rules[n].when) for n in plan.tiers["tier"]],
                              theme=[tier_theme(rules[n]) for n in plan.tiers["tier"]],
                              channels=plan.tiers["channels"].map(
                                  lambda c: ", ".join(channel_label(x.strip()) for x in str(c).split(","))))
    actions = plan.actions.assign(tier=plan.actions["tier"].map(labels),
                                  preferred_channel=plan.actions["preferred_channel"].map(channel_label))
    if "survey_needed" in actions:
        actions["survey_needed"] = actions["survey_needed"].map(yes_no)
    promises = plan.promises().assign(tier=lambda d: d["tier"].map(labels))
    promises["kept_within_hours"] = promises["kept_within_hours"].replace(np.inf, np.nan)
    load = plan.load.assign(week=week_number(plan.load["week"]))
    out = [
        (N_("Tiers"), tiers, {
            "tier": (N_("Tier"), "text"), "rule": (N_("Who belongs"), "text"), "accounts": (N_("Customers"), "count"),
            "net_value": (N_("Net value"), "money"), "revenue": (N_("Revenue"), "money"),
            "cadence_weeks": (N_("Contact every (weeks)"), "count"), "channels": (N_("Channels"), "text"),
            "response_hours": (N_("Response promise (working hours)"), "hours"),
            "theme": (N_("What to talk about"), "text"), "contacts": (N_("Contacts planned"), "count"),
            "plan_hours": (N_("Hours planned"), "hours"), "unscheduled": (N_("Contacts that did not fit"), "count")}),
        (N_("Actions"), actions, {
            "rank": (N_("Priority"), "count"), "account_id": (N_("Customer id"), "text"), "name": (N_("Customer"), "text"),
            "tier": (N_("Tier"), "text"), "tier_reason": (N_("Why this tier"), "text"),
            "next_action": (N_("Next action"), "text"), "preferred_channel": (N_("Channel"), "text"),
            "services": (N_("Services bought"), "text"), "survey_needed": (N_("Survey needed"), "text"),
            "assignee": (N_("Contact made by"), "text"), "answers_inbound": (N_("Answers their messages"), "text"),
            "next_contact": (N_("Next contact"), "date")}),
    ]
    # Excel compares sheet names without case ("Anna" and "anna" clash) and refuses one
    # that begins or ends with an apostrophe.
    used: set[str] = {_(t).casefold() for t, _f, _c in out}
    for member, g in sched.groupby("member", sort=True):
        title = _("Schedule {member}").format(member=member)
        for ch in "[]:*?/\\":
            title = title.replace(ch, " ")
        title = base = title[:31].strip("'")
        n = 1
        while title.casefold() in used:
            n += 1
            title = f"{base[:31 - len(str(n)) - 1].rstrip(chr(39))} {n}"
        used.add(title.casefold())
        out.append((title, g, {c: v for c, v in SCHEDULE_COLUMNS.items() if c != "member"}))
    out += [
        (N_("Response statements"), plan.statements(), {
            "place": (N_("Where"), "text"), "text": (N_("Text"), "text"), "other": (N_("In the other language"), "text")}),
        (N_("Response promises"), promises, {
            "tier": (N_("Tier"), "text"), "target_hours": (N_("Target (working hours)"), "hours"),
            "runs": (N_("Messages measured"), "count"), "kept_share": (N_("Answered within the target"), "share"),
            "kept_within_hours": (N_("Time the required share is answered within (working hours)"), "hours"),
            "publish_hours": (N_("Promise to publish (working hours)"), "hours")}),
        (N_("Capacity"), load, {
            "member": (N_("Team member"), "text"), "week": (N_("Plan week"), "count"),
            "week_start": (N_("Week starts"), "date"), "capacity_hours": (N_("Hours reserved"), "hours"),
            "planned_hours": (N_("Hours planned"), "hours")}),
    ]
    return out


def _cell(v: Any, kind: str) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    # A spreadsheet cell holds no NaN or infinity: an empty cell says "unknown".
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if kind == "date" and isinstance(v, (dt.date, pd.Timestamp)):
        return pd.Timestamp(v).date()
    return v


def _write_xlsx(path: Path, plan: CommunicationPlan, sched: pd.DataFrame) -> None:
    """plan.xlsx: headers in words, real dates, times, euros and shares, a filter on every
    header row, the header frozen.

    Written with XlsxWriter, row by row (``constant_memory``): a plan of 100 000 accounts
    took openpyxl about a minute and every cell in memory. Text is written as text, never
    as a formula or a link: a customer's name that begins with "=" is not a formula. A
    table longer than a sheet holds continues on the next ("Actions 2"). The file is
    written aside and moved into place, so a failure leaves no half-written workbook.
    """
    import xlsxwriter

    kinds = _excel_formats()
    part = path.with_name(path.name + ".part")
    book = xlsxwriter.Workbook(str(part), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": kinds["date"]})
    header = book.add_format({"bold": True, "valign": "top", "text_wrap": True})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in kinds.items()}
    places = dict(PLACES)
    try:
        for title, df, columns in _sheets(plan, sched):
            cols = [c for c in columns if c in df]
            cell_formats = [formats.get(columns[c][1]) for c in cols]
            widths = [min(60, max(9, max([len(_(columns[c][0]))] + [len(str(v)) for v in df[c].head(200)]) + 2))
                      for c in cols]
            place = cols.index("place") if "place" in cols else None
            for n, first in enumerate(range(0, max(len(df), 1), _SHEET_ROWS), 1):
                name = _(title)[:31] if n == 1 else f"{_(title)[:31 - len(str(n)) - 1]} {n}"
                ws = book.add_worksheet(name)
                for i, width in enumerate(widths):
                    ws.set_column(i, i, width, cell_formats[i])
                ws.write_row(0, 0, [_(columns[c][0]) for c in cols], header)
                ws.freeze_panes(1, 0)
                part_rows = df[cols].iloc[first:first + _SHEET_ROWS]
                if cols:
                    ws.autofilter(0, 0, max(1, len(part_rows)), len(cols) - 1)
                for r, row in enumerate(part_rows.itertuples(index=False), 1):
                    for k, (c, v) in enumerate(zip(cols, row)):
                        v = _cell(v, columns[c][1])
                        if k == place:
                            v = _(places.get(v, v))
                        if v is not None:
                            ws.write(r, k, v, cell_formats[k])
        book.close()
        os.replace(part, path)
    except BaseException:
        if not book.fileclosed:
            with contextlib.suppress(Exception):  # the first error is the one to report
                book.close()
        part.unlink(missing_ok=True)
        raise


#: Data rows a worksheet holds (Excel's 1 048 576 rows, less the header).
_SHEET_ROWS = 1_048_575


def _address(member: str, emails: dict[str, str], pseudonymized: bool) -> str:
    """A member's calendar address: the team table's e-mail, else a reserved address that
    never delivers (``.invalid``, RFC 2606); never a real address in a pseudonymized run."""
    real = emails.get(member)
    if real and not pseudonymized and "@" in real:
        return f"mailto:{real.strip()}"
    return f"mailto:{_slug(member)}@team.invalid"


def plan_ics(plan: CommunicationPlan, member: str | None = None, *, pseudonymized: bool = False) -> bytes:
    """The schedule as iCalendar (all contacts, or ``member``'s): one VEVENT per contact,
    in the client's zone with its VTIMEZONE, with UID, DTSTAMP, ORGANIZER and ATTENDEE (the
    member who makes the contact), a summary in the report's language that names the
    channel, and the action in the description."""
    from icalendar import Calendar, Event, vCalAddress, vText

    emails = {}
    if "email" in plan.capacity:
        emails = {m: e for m, e in zip(plan.capacity["member"], plan.capacity["email"]) if isinstance(e, str) and e}
    labels = {t.name: tier_label(t) for t in plan.tier_rules}
    cal = Calendar()
    cal.add("prodid", "-//workbench//communication plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = _("Communication plan") if member is None else _("Communication plan: {member}").format(member=member)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", plan.calendar.timezone)
    zone = zoneinfo.ZoneInfo(plan.calendar.timezone)
    # DTSTAMP is required; the plan's start keeps the file identical on every rerun.
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.timezone.utc)
    sched = plan.schedule if member is None else plan.schedule[plan.schedule["member"] == member]
    for r in sched.itertuples(index=False):
        begin = r.start.to_pydatetime().replace(tzinfo=None).replace(tzinfo=zone)
        who = _address(r.member, emails, pseudonymized)
        ev = Event()
        ev.add("uid", r.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", begin)
        ev.add("dtend", begin + dt.timedelta(minutes=float(r.minutes)))
        ev.add("summary", _("{channel}: {name} ({tier})").format(
            channel=channel_label(r.channel).capitalize(), name=r.name, tier=labels.get(r.tier, r.tier)))
        ev.add("description", r.action + "\n" + _(
            "Channel: {channel}. Made by {member}. Contact {n}, priority {rank}.").format(
            channel=channel_label(r.channel), member=r.member, n=r.touch + 1, rank=r.rank))
        organizer = vCalAddress(who)
        organizer.params["cn"] = vText(r.member)
        ev["organizer"] = organizer
        attendee = vCalAddress(who)
        attendee.params["cn"] = vText(r.member)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        ev.add("attendee", attendee, encode=0)
        ev.add("categories", [labels.get(r.tier, r.tier)])
        ev.add("x-workbench-channel", r.channel)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
