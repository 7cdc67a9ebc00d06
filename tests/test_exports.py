"""The plan's exports as the team opens them: plan.xlsx in Excel (openpyxl) and the
calendars as Outlook and Google import them (parsed with icalendar)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest

from workbench.exports import SCHEDULE_COLUMNS, _slug, write_plan
from workbench.i18n import _, override

TZ = "Europe/Helsinki"


@pytest.fixture(scope="module")
def plan(sample_plan):
    return sample_plan[3]


@pytest.fixture(scope="module", params=["en", "fi"])
def written(plan, request, tmp_path_factory) -> tuple[str, dict[str, Path]]:
    with override(request.param):
        return request.param, write_plan(tmp_path_factory.mktemp(f"exports_{request.param}"), plan)


def test_workbook_headers_formats_filters(plan, written) -> None:
    lang, files = written
    wbk = openpyxl.load_workbook(files["xlsx"])
    with override(lang):
        expected = {_("Tiers"), _("Actions"), _("Response statements"), _("Capacity")}
        schedule_title = _("Schedule {member}")
        headers = {c: _(h) for c, (h, _k) in SCHEDULE_COLUMNS.items()}
    assert expected <= set(wbk.sheetnames)
    members = sorted(plan.schedule["member"].unique())
    schedules = [n for n in wbk.sheetnames if n.startswith(schedule_title.split("{")[0])]
    assert len(schedules) == len(members)
    for ws in wbk.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        head = [c.value for c in ws[1]]
        assert all(isinstance(h, str) and "_" not in h for h in head), (ws.title, head)
    ws = wbk[schedules[0]]
    head = [c.value for c in ws[1]]
    assert head[:3] == [headers["date"], headers["time"], headers["week"]]
    date, time = ws["A2"], ws["B2"]
    assert isinstance(date.value, dt.datetime) and date.is_date  # a real Excel date
    assert isinstance(time.value, dt.time) and time.number_format == "hh:mm"  # a real Excel time
    # Weeks are numbered from 1, as in the capacity figure.
    weeks = [r[2].value for r in ws.iter_rows(min_row=2)]
    assert min(weeks) >= 1 and min(plan.schedule["week"]) + 1 == min(
        r[2].value for s in schedules for r in wbk[s].iter_rows(min_row=2))
    with override(lang):
        tiers = wbk[_("Tiers")]
        money_col = [c.value for c in tiers[1]].index(_("Net value")) + 1
    cell = tiers.cell(row=2, column=money_col)
    assert isinstance(cell.value, (int, float)) and "€" in cell.number_format
    with override(lang):
        promises = wbk[_("Response promises")]
        share_col = [c.value for c in promises[1]].index(_("Answered within the target")) + 1
    assert "%" in promises.cell(row=2, column=share_col).number_format
    cap = wbk.worksheets[-1]
    assert min(r[1].value for r in cap.iter_rows(min_row=2)) == 1


def test_calendars_import_like_outlook_and_google(plan, written) -> None:
    lang, files = written
    members = sorted(plan.schedule["member"].unique())
    per_member = {k.split(":", 1)[1]: v for k, v in files.items() if k.startswith("ics:")}
    assert sorted(per_member) == members
    combined = icalendar.Calendar.from_ical(files["ics"].read_bytes())
    assert len(list(combined.walk("VEVENT"))) == len(plan.schedule)
    total = 0
    for member, path in per_member.items():
        assert path.name == f"plan-{_slug(member)}.ics"
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID") and str(cal["METHOD"]) == "PUBLISH"
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [TZ]
        events = list(cal.walk("VEVENT"))
        total += len(events)
        mine = plan.schedule[plan.schedule["member"] == member].set_index("uid")
        assert {str(e["UID"]) for e in events} == set(mine.index)
        for e in events:
            assert e["DTSTAMP"].dt.tzinfo is not None
            assert str(e["DTSTART"].dt.tzinfo) == TZ and e["DTSTART"].params.get("TZID") == TZ
            assert e["DTEND"].dt > e["DTSTART"].dt
            org, att = e["ORGANIZER"], e["ATTENDEE"]
            assert str(org).startswith("mailto:") and org.params["CN"] == member
            assert str(att).startswith("mailto:") and att.params["CN"] == member
            row = mine.loc[str(e["UID"])]
            summary = str(e["SUMMARY"])
            assert row["name"] in summary
            with override(lang):
                from workbench.actions import channel_label
                assert channel_label(row["channel"]).capitalize() in summary
    assert total == len(plan.schedule), "each contact in exactly one member's calendar"
    if lang == "fi":
        descriptions = [str(e["DESCRIPTION"]) for e in combined.walk("VEVENT")]
        assert all("Kanava:" in d and "Channel:" not in d for d in descriptions)


def test_calendar_addresses_from_the_team_table_never_when_pseudonymized(plan, tmp_path) -> None:
    member = sorted(plan.schedule["member"].unique())[0]
    cap = plan.capacity.assign(email=[f"{_slug(m)}@firm.example" for m in plan.capacity["member"]])
    with_mail = dataclasses.replace(plan, capacity=cap)
    open_files = write_plan(tmp_path / "open", with_mail, pseudonymized=False)
    cal = icalendar.Calendar.from_ical(open_files[f"ics:{member}"].read_bytes())
    assert str(next(iter(cal.walk("VEVENT")))["ORGANIZER"]) == f"mailto:{_slug(member)}@firm.example"
    hidden = write_plan(tmp_path / "hidden", with_mail, pseudonymized=True)
    for key, path in hidden.items():
        if key.startswith("ics"):
            text = path.read_text(encoding="utf-8")
            assert "firm.example" not in text and "@team.invalid" in text
    # Without an address in the team table: the reserved fallback, never a guess at a real one.
    without = dataclasses.replace(plan, capacity=plan.capacity.drop(columns="email", errors="ignore"))
    plain = write_plan(tmp_path / "plain", without, pseudonymized=False)
    assert f"mailto:{_slug(member)}@team.invalid" in plain[f"ics:{member}"].read_text(encoding="utf-8")


def test_csv_headers_in_words(plan, written) -> None:
    lang, files = written
    df = pd.read_csv(files["csv"])
    assert len(df) == len(plan.schedule)
    assert not [c for c in df.columns if "_" in c]


def test_workbook_has_no_raw_identifiers(plan, written) -> None:
    """No cell a reader sees holds a snake_case identifier (a rule's signal names, a channel key)."""
    import re

    lang, files = written
    wbk = openpyxl.load_workbook(files["xlsx"])
    raw = re.compile(r"\b[a-z]+_[a-z_]+\b")
    for ws in wbk.worksheets:
        head = [c.value for c in ws[1]]
        skip = {i for i, h in enumerate(head) if h in {_("Customer id"), _("Calendar id")}}
        with override(lang):
            skip |= {i for i, h in enumerate(head) if h in {_("Customer id"), _("Calendar id")}}
        for row in ws.iter_rows(min_row=2, max_row=40, values_only=True):
            for i, v in enumerate(row):
                if i not in skip and isinstance(v, str):
                    assert not raw.search(v), (ws.title, v)


def test_workbook_writes_text_as_text_never_as_a_formula_or_link(plan, tmp_path) -> None:
    """A customer named "=HYPERLINK(…)" or "https://…" in an export is a name, not a formula
    Excel runs or a link it follows (the workbook is opened by the client's team)."""
    names = ["=HYPERLINK(\"http://evil.example\",\"click\")", "https://evil.example/x", "+1 555 0100"]
    sched = plan.schedule.assign(name=[names[i % 3] for i in range(len(plan.schedule))])
    files = write_plan(tmp_path, dataclasses.replace(plan, schedule=sched))
    wbk = openpyxl.load_workbook(files["xlsx"])
    seen = []
    for ws in wbk.worksheets:
        head = [c.value for c in ws[1]]
        if _("Customer") in head:
            col = head.index(_("Customer")) + 1
            seen += [ws.cell(row=r, column=col) for r in range(2, min(ws.max_row, 8) + 1)]
    ours = [c for c in seen if c.value in names]  # the schedule sheets' cells
    assert {c.value for c in ours} == set(names)
    assert all(c.data_type == "s" and c.hyperlink is None for c in ours)


def test_workbook_sheets_for_members_excel_would_confuse(plan, tmp_path) -> None:
    """Excel compares sheet names without case and refuses a trailing apostrophe: members
    named "Anna", "anna" and "Anna'" each get their own schedule sheet."""
    members = ["Anna", "anna", "Anna'"]
    sched = plan.schedule.assign(member=[members[i % 3] for i in range(len(plan.schedule))])
    files = write_plan(tmp_path, dataclasses.replace(plan, schedule=sched))
    wbk = openpyxl.load_workbook(files["xlsx"])
    schedules = [n for n in wbk.sheetnames if n.startswith(_("Schedule {member}").split("{")[0])]
    assert len(schedules) == 3 and len({n.casefold() for n in wbk.sheetnames}) == len(wbk.sheetnames)
    assert sum(wbk[n].max_row - 1 for n in schedules) == len(sched)


def test_a_table_longer_than_a_sheet_continues_on_the_next(plan, tmp_path, monkeypatch) -> None:
    import workbench.exports as ex

    monkeypatch.setattr(ex, "_SHEET_ROWS", 7)
    wbk = openpyxl.load_workbook(write_plan(tmp_path, plan)["xlsx"])
    actions = [n for n in wbk.sheetnames if n == _("Actions") or n.startswith(_("Actions") + " ")]
    assert len(actions) == -(-len(plan.actions) // 7)
    ids = [r[1] for n in actions for r in wbk[n].iter_rows(min_row=2, values_only=True)]
    assert ids == plan.actions["account_id"].tolist()
    assert all(wbk[n].freeze_panes == "A2" for n in actions)


def test_a_failed_write_keeps_the_earlier_workbook_and_leaves_no_part(plan, tmp_path, monkeypatch) -> None:
    import workbench.exports as ex

    first = write_plan(tmp_path, plan)["xlsx"]
    before = first.read_bytes()

    def broken(v, kind):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ex, "_cell", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_plan(tmp_path, plan)
    assert first.read_bytes() == before
    assert not list(tmp_path.glob("*.part"))
