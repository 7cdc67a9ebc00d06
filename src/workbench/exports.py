"""The plan's exports: plan.xlsx, plan.csv, the calendars, the statements and the survey."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .i18n import _
from .preferences import survey_template
from .promises import PLACES

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


def write_plan(out_dir: str | Path, plan: CommunicationPlan) -> dict[str, Path]:
    """Write plan.xlsx, plan.csv, plan.ics, response_statements.md and survey.md into ``out_dir``.

    Returns the written files by kind. The calendar has one event per scheduled contact
    with a stable UID (plan start, account, contact number), so re-importing an updated
    plan updates events instead of duplicating them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"xlsx": out / "plan.xlsx", "csv": out / "plan.csv", "ics": out / "plan.ics",
             "statements": out / "response_statements.md", "survey": out / "survey.md"}
    sched = _schedule_export(plan)
    sched.to_csv(files["csv"], index=False, encoding="utf-8")
    _write_xlsx(files["xlsx"], plan, sched)
    files["ics"].write_bytes(plan_ics(plan))
    files["statements"].write_text(statements_markdown(plan), encoding="utf-8")
    files["survey"].write_text(survey_template("fi") + "\n---\n\n" + survey_template("en"), encoding="utf-8")
    return files


def _schedule_export(plan: CommunicationPlan) -> pd.DataFrame:
    s = plan.schedule
    return pd.DataFrame({
        "date": s["date"], "time": s["start"].dt.strftime("%H:%M"), "member": s["member"],
        "account_id": s[_BY], "name": s["name"], "tier": s["tier"], "channel": s["channel"],
        "minutes": s["minutes"], "contact_no": s["touch"] + 1, "rank": s["rank"], "action": s["action"],
        "uid": s["uid"],
    })


def _write_xlsx(path: Path, plan: CommunicationPlan, sched: pd.DataFrame) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("Tiers", plan.tiers.drop(columns=["label_fi"]).round({"net_value": 0, "revenue": 0})),
        ("Actions", plan.actions),
    ]
    used: set[str] = set()
    for member, g in sched.groupby("member", sort=True):
        title = f"Schedule {member}"[:31]
        while title in used:
            title = title[:29] + f"{len(used):02d}"
        used.add(title)
        sheets.append((title, g.drop(columns=["member"])))
    sheets.append(("Response statements", plan.statements()))
    sheets.append(("Capacity", plan.load.round(2)))
    for title, df in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NaT else
                       (v.item() if isinstance(v, np.generic) else v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="top")
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, 1):
            letter = get_column_letter(i)
            values = df[col]
            if len(values) and isinstance(values.dropna().iloc[0] if values.notna().any() else None, dt.date):
                for c in ws[letter][1:]:
                    c.number_format = "yyyy-mm-dd"
            width = max([len(str(col))] + [len(str(v)) for v in values.head(200)])
            ws.column_dimensions[letter].width = min(60, max(8, width + 2))
    wb.save(path)


def plan_ics(plan: CommunicationPlan) -> bytes:
    """The schedule as iCalendar: one VEVENT per contact, in the client's zone, with VTIMEZONE."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//workbench//communication plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Communication plan")
    zone = zoneinfo.ZoneInfo(plan.calendar.timezone)
    # DTSTAMP is required; the plan's start keeps the file identical on every rerun.
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.timezone.utc)
    for r in plan.schedule.itertuples(index=False):
        begin = r.start.to_pydatetime().replace(tzinfo=None).replace(tzinfo=zone)
        ev = Event()
        ev.add("uid", r.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", begin)
        ev.add("dtend", begin + dt.timedelta(minutes=float(r.minutes)))
        ev.add("summary", f"{r.channel}: {r.name} ({r.tier})")
        ev.add("description", f"{r.action}\nAssigned to {r.member}. Contact {r.touch + 1}, priority {r.rank}.")
        ev.add("categories", [r.tier])
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
