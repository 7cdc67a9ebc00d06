"""The explorer's controls: the report's settings as sliders, its answers redrawn in place.

:class:`Explorer` is what ``notebooks/explore.ipynb`` (in JupyterLab, or served without
code by Voilà: ``workbench app``) shows. Each control is a setting of the params file
(:func:`workbench.scenario.knobs`); moving one reruns the report's own functions through
:class:`workbench.scenario.Scenarios` and redraws, in the same place, the Pareto, the whale
curve, the drop candidates with their what-if, the commitment × revenue map, the tiers,
the team's capacity and the response promises, with sentences saying what changed against
the params file. An account picked in the slice is ringed in every figure and opened as a
card. *Save* writes the moved settings as a params file for ``workbench run``.

The logic is in :mod:`workbench.scenario` (testable without a browser); this module only
lays out widgets and draws.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import Markdown, display, publish_display_data

from . import commitment, energy, explore, plots, whatif
from .analysis import Analysis
from .exceptions import WorkbenchError
from .i18n import N_, _
from .paths import resolve
from .scenario import GROUPS, Knob, Scenario, Scenarios, compare, knobs, save_params
from .tables import present

_TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
_WIDE = w.Layout(width="98%")
_LABEL = {"description_width": "55%"}


def _control(knob: Knob, value: Any) -> w.Widget:
    """The widget for one setting, showing ``value`` (what is in force)."""
    common = dict(description=knob.title, style=_LABEL, layout=_WIDE, continuous_update=False)
    if knob.kind == "time":
        options = sorted(set(_TIMES) | {value})
        return w.SelectionSlider(options=options, value=value, **common)
    if knob.kind == "rule":
        return w.Text(value=str(value), **common)
    if knob.kind == "whole":
        v = int(round(float(value)))
        return w.IntSlider(value=v, min=int(min(knob.low, v)), max=int(max(knob.high, v)), step=int(knob.step),
                           **common)
    v = float(value)
    fmt = ".0%" if knob.kind == "share" else ".2f"
    return w.FloatSlider(value=v, min=min(knob.low, v), max=max(knob.high, v * 3 if knob.kind == "money" else v),
                         step=knob.step, readout_format=fmt, **common)


def _same(a: Any, b: Any, step: float) -> bool:
    """Whether a control's value is the value in force (a slider snaps to its step)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < max(step, 1e-9) / 2
    return str(a).strip() == str(b).strip()


class Explorer:
    """The explorer's widgets around one client's :class:`~workbench.scenario.Scenarios`.

    Parameters
    ----------
    analysis : Analysis
        :func:`workbench.start`'s result.
    params_file : str
        The params file the analysis read; a saved file extends it.
    account, segment, tier : str, optional
        The account to open first (default: the heaviest in the slice) and the slice.

    Examples
    --------
    >>> import workbench as wb
    >>> x = Explorer(wb.start(), "params/default.yaml")
    >>> x.set("energy.complaint_weight", 6.0)
    >>> x.settings, len(x.scenario.drain.candidates) >= len(x.scenarios.base.drain.candidates)
    ({'energy.complaint_weight': 6.0}, True)
    """

    def __init__(self, analysis: Analysis, params_file: str, *, account: str | None = None,
                 segment: str | None = None, tier: str | None = None, sort: str = "energy") -> None:
        self.analysis = analysis
        self.params_file = params_file
        self.scenarios = Scenarios(analysis)
        self.scenario: Scenario = self.scenarios.base
        self.settings: dict[str, Any] = {}
        self.knobs = {k.key: k for k in knobs(analysis.params)}
        self.shown = {key: self.scenarios.shown(key) for key in self.knobs}
        #: Seconds the last update took: recomputing, then drawing (the benchmark reads them).
        self.timings: dict[str, float] = {}
        self._drawn_from: dict[str, str] = {}
        self._quiet = False
        self.controls = {key: _control(k, self.shown[key]) for key, k in self.knobs.items()}
        for key, c in self.controls.items():
            c.observe(lambda change, key=key: self._moved(key, change["new"]), names="value")
        self.status = w.HTML()
        self.out = {name: w.Output() for name in (
            "changes", "pareto", "whale", "candidates", "map", "tiers", "tier_chart", "capacity", "promises",
            "slice", "card", "drivers", "parts", "timeline", "position")}
        self._build_slice(segment, tier, sort, account)
        self.view = self._layout()
        self.redraw()

    # ------------------------------------------------------------------ state

    def set(self, key: str, value: Any) -> None:
        """Move one setting, as its control would (the control shows it too)."""
        if key not in self.controls:
            raise KeyError(f"no control for {key!r}; the controls are {', '.join(self.controls)}")
        self._quiet = True
        try:
            self.controls[key].value = value
        finally:
            self._quiet = False
        self._moved(key, value)

    def reset(self, _button: Any = None) -> None:
        """Every control back to the params file."""
        self._quiet = True
        try:
            for key, c in self.controls.items():
                c.value = self.shown[key] if self.knobs[key].kind in ("time", "rule") else \
                    type(c.value)(self.shown[key])
        finally:
            self._quiet = False
        self.settings = {}
        self._update()

    def _moved(self, key: str, value: Any) -> None:
        if self._quiet:
            return
        before = dict(self.settings)
        if _same(value, self.shown[key], self.knobs[key].step):
            self.settings.pop(key, None)
        else:
            self.settings[key] = value
        if not self._update():
            self.settings = before  # the control keeps the value, for the user to mend

    def _update(self) -> bool:
        t0 = time.perf_counter()
        try:
            scenario = self.scenarios.evaluate(self.settings)
        except WorkbenchError as e:
            self.status.value = _("<b>Not applied:</b> {error}").format(error=html.escape(str(e)))
            return False
        t1 = time.perf_counter()
        self.scenario = scenario
        self.status.value = ""
        self.redraw()
        self.timings = {"recompute": t1 - t0, "draw": time.perf_counter() - t1}
        return True

    def save(self, path: str | Path | None = None, *, today: dt.date | None = None) -> Path:
        """Write the moved settings as a params file extending :attr:`params_file`."""
        target = resolve(path or self.path.value)
        written = save_params(target, resolve(self.params_file), self.analysis.params, self.settings,
                              self.analysis.weight_fit.weights, today=today,
                              changes=compare(self.scenarios.base, self.scenario, named=False))
        return written

    def _save_clicked(self, _button: Any) -> None:
        try:
            written = self.save()
        except WorkbenchError as e:
            self.status.value = _("<b>Not saved:</b> {error}").format(error=html.escape(str(e)))
            return
        self.status.value = _("Saved {file}. The scheduled report uses it with: {command}").format(
            file=f"<code>{written}</code>", command=f"<code>workbench run --params {written}</code>")

    # ------------------------------------------------------------------ showing

    #: The views that are text and tables (compared by nbval), and those that are figures.
    TEXT_VIEWS = ("changes", "candidates", "tiers", "capacity", "promises", "slice", "card", "parts")
    FIGURE_VIEWS = ("pareto", "whale", "map", "tier_chart", "drivers", "timeline", "position")

    def _ipython_display_(self) -> None:
        """Live (``interactive``): the controls and every view. Without a kernel to answer
        the controls: the text views as drawn for the params file (:meth:`figures` has the
        rest), so the notebook reads as a report."""
        if self.analysis.interactive:
            display(self.view)
        else:
            self._publish(self.TEXT_VIEWS)

    def figures(self) -> None:
        """The figure views as drawn, without a kernel; nothing live, where :attr:`view`
        holds them."""
        if not self.analysis.interactive:
            self._publish(self.FIGURE_VIEWS)

    def _publish(self, names: tuple[str, ...]) -> None:
        for name in names:
            for o in self.out[name].outputs:
                publish_display_data(o["data"], o.get("metadata") or {})

    # ------------------------------------------------------------------ slice

    def _build_slice(self, segment: str | None, tier: str | None, sort: str, account: str | None) -> None:
        s = self.scenario
        # "" is every segment (tier): a dropdown shows no label for None.
        self.segment = w.Dropdown(options=[(_("all"), "")] + [(commitment.segment_name(x), x) for x in
                                                               commitment.SEGMENTS],
                                  value=segment or "", description=_("Segment"))
        self.tier = w.Dropdown(options=[(_("all"), "")] + list(zip(s.plan.tier_labels().values(),
                                                                    s.plan.tier_labels())),
                               value=tier or "", description=_("Tier"))
        self.sort = w.Dropdown(options=[(_(label), key) for key, (label, _c, _a) in explore.ACCOUNT_SORTS.items()],
                               value=sort, description=_("Sort"))
        self.picker = w.Dropdown(description=_("Account"), layout=w.Layout(width="60%"))
        table = self.table()
        self._fill_picker(table, account or explore.heaviest_account(table, segment=segment, tier=tier))
        for c in (self.segment, self.tier, self.sort):
            c.observe(lambda _change: self._slice_moved(), names="value")
        self.picker.observe(lambda _change: self._account_moved(), names="value")

    def table(self) -> pd.DataFrame:
        """:func:`workbench.explore.account_table` under the current settings."""
        s = self.scenario
        return explore.account_table(s.metrics, s.scores, s.drain, s.plan)

    def _fill_picker(self, table: pd.DataFrame, chosen: str | None) -> None:
        rows = self._slice(table)
        rows = rows if len(rows) else explore.account_slice(table, sort=self.sort.value)
        names = rows["name"] if "name" in rows else rows["account_id"]
        options = [(f"{n} ({a})", a) for n, a in zip(names, rows["account_id"])]
        self._quiet = True
        try:
            self.picker.options = options
            ids = [a for _n, a in options]
            self.picker.value = chosen if chosen in ids else (ids[0] if ids else None)
        finally:
            self._quiet = False

    def _slice_moved(self) -> None:
        table = self.table()
        self._fill_picker(table, explore.heaviest_account(table, segment=self.segment.value or None,
                                                          tier=self.tier.value or None))
        self.redraw()

    def _account_moved(self) -> None:
        if not self._quiet:
            self.redraw(only_account=True)

    @property
    def account(self) -> str | None:
        """The account the card shows and every figure rings."""
        return self.picker.value

    # ------------------------------------------------------------------ drawing

    def _layout(self) -> w.Widget:
        by_group: dict[str, list[w.Widget]] = {g: [] for g in GROUPS}
        for key, c in self.controls.items():
            by_group[self.knobs[key].group].append(c)
        groups = w.Accordion(children=[w.VBox(v) for v in by_group.values()])
        for i, g in enumerate(by_group):
            groups.set_title(i, _(g))
        stem = Path(self.params_file).stem
        self.path = w.Text(value=str(Path(self.params_file).with_name(f"{stem}-agreed.yaml")),
                           description=_("File"), layout=w.Layout(width="60%"))
        save = w.Button(description=_("Save as params file"), button_style="primary", icon="save",
                        layout=w.Layout(width="auto"))
        save.on_click(self._save_clicked)
        reset = w.Button(description=_("Back to the params file"), icon="undo", layout=w.Layout(width="auto"))
        reset.on_click(self.reset)

        def section(title: str, *outputs: str) -> list[w.Widget]:
            return [w.HTML(f"<h3>{title}</h3>"), *(self.out[o] for o in outputs)]

        return w.VBox([
            w.HTML("<h2>{}</h2>".format(_("What if"))), groups, w.HBox([reset, self.path, save]), self.status,
            *section(_("Against the params file"), "changes"),
            *section(_("The 80/20 of energy"), "pareto"),
            *section(_("The whale curve"), "whale"),
            *section(_("Drop candidates and what letting them go is worth"), "candidates"),
            *section(_("The commitment × revenue map"), "map"),
            *section(_("Tiers"), "tiers", "tier_chart"),
            *section(_("The team's capacity"), "capacity"),
            *section(_("Response promises"), "promises"),
            w.HTML("<h2>{}</h2>".format(_("One account"))), w.HBox([self.segment, self.tier, self.sort]),
            self.out["slice"], self.picker,
            *(self.out[o] for o in ("card", "drivers", "parts", "timeline", "position")),
        ])

    def _draw(self, name: str, *items: Callable[[], Any], inputs: tuple[Any, ...] | None = None) -> None:
        """Replace one view's outputs at once: the page never shows it half drawn, and
        the outputs are data a test can read without a browser. A figure whose ``inputs``
        (:func:`_fingerprint`) are those it was last drawn from is left as it is: most
        controls move a few views, and drawing a figure costs more than checking it."""
        if inputs is not None:
            key = _fingerprint(*inputs)
            if self._drawn_from.get(name) == key:
                return
            self._drawn_from[name] = key
        fmt = InteractiveShell.instance().display_formatter.format
        outputs = []
        for item in items:
            shown = item()
            if shown is None:
                continue
            # A figure's own display hook would show it in the running cell instead: ask it
            # for its data (the renderer start() chose) and put that in the view.
            data, metadata = ((shown._repr_mimebundle_(), {}) if isinstance(shown, go.Figure) else fmt(shown))
            outputs.append({"output_type": "display_data", "data": data, "metadata": metadata})
        self.out[name].outputs = tuple(outputs)

    def redraw(self, only_account: bool = False) -> None:
        """Draw every view from the current scenario (with ``only_account``: only what the
        picked account changes)."""
        s, a = self.scenario, self.account
        d, plan, params = s.drain, s.plan, s.params
        names = s.metrics.set_index("account_id")["name"] if "name" in s.metrics else None
        table = self.table()
        quadrants, value_split = commitment.commitment_quadrants(s.scores, s.metrics)
        pareto = (lambda: plots.plot_energy_pareto(d.pareto.ranked, d.pareto.share, names,
                                                   title=d.pareto.headline(), highlight=a)) if d.measured else \
            (lambda: Markdown(_("No contact in the window: no energy to rank.")))
        self._draw("pareto", pareto, inputs=(a, d.pareto.ranked["energy"], d.pareto.share))
        self._draw("whale", lambda: plots.plot_whale_curve(d.whale.curve, d.whale.peak_share,
                                                           d.whale.peak_account_share, names, highlight=a),
                   inputs=(a, d.whale.curve[["account_id", "cum_share"]]))
        self._draw("map", lambda: plots.plot_commitment_map(quadrants, params.commitment.thresholds.average,
                                                            value_split, highlight=a),
                   inputs=(a, quadrants[["account_id", "commitment_score", "quadrant"]],
                           params.commitment.thresholds.average, value_split))
        self._draw_account(table)
        if only_account:
            return
        base = self.scenarios.base
        self._draw("changes", lambda: Markdown("\n".join(f"- {line}" for line in compare(base, s))))
        wi = d.what_if
        self._draw("candidates",
                   lambda: Markdown(energy.value_line_sentence(params, d.rates.rate_per_hour, d.commitment_known)),
                   lambda: energy.candidate_view(d) if d.candidates else None,
                   lambda: Markdown(wi.sentence()),
                   lambda: whatif.options_view(wi) if wi.accounts else None)
        sizes = pd.DataFrame({"tier": [t.name for t in params.plan.tiers]})
        sizes["before"] = sizes["tier"].map(base.tier_sizes).fillna(0).astype(int)
        sizes["now"] = sizes["tier"].map(s.tier_sizes).fillna(0).astype(int)
        sizes["change"] = sizes["now"] - sizes["before"]
        sizes["tier"] = sizes["tier"].map(plan.tier_labels())
        self._draw("tiers", lambda: present(sizes, {
            "tier": (N_("Tier"), "text"), "before": (N_("Customers under the params file"), "count"),
            "now": (N_("Customers now"), "count"), "change": (N_("Change"), "count")}))
        self._draw("tier_chart", lambda: plots.plot_tiers(plan.tiers))
        self._draw("capacity", lambda: Markdown(plan.fit_sentence()), lambda: present(plan.members().reset_index(), {
            "member": (N_("Team member"), "text"), "hours_per_week": (N_("Hours a week"), "hours"),
            "plan_hours_per_week": (N_("Reserved for planned contact a week"), "hours"),
            "capacity_hours": (N_("Hours reserved"), "hours"), "planned_hours": (N_("Hours planned"), "hours"),
            "use": (N_("Reserved hours used"), "share"), "contacts": (N_("Contacts planned"), "count")}))
        self._draw("promises", lambda: Markdown(plan.promise_verdicts() + "\n\n" + plan.public_sentence()))
        self._draw("slice", lambda: Markdown(explore.slice_summary(self._slice(table), table)),
                   lambda: present(self._slice(table).assign(
                       next_action=lambda d: d["next_action"].str.split(": ", n=1).str[0],
                       segment=lambda d: d["segment"].map(commitment.segment_name),
                       tier=lambda d: d["tier"].map(plan.tier_labels())), {
                       "name": (N_("Customer"), "text"), "tier": (N_("Tier"), "text"),
                       "commitment_score": (N_("Commitment score"), "score"), "segment": (N_("Segment"), "text"),
                       "energy": (N_("Energy"), "hours"), "net_value": (N_("Net value"), "money"),
                       "drop_candidate": (N_("Drop candidate"), "yesno"), "next_action": (N_("Next action"), "text"),
                       "next_contact": (N_("Next contact"), "date")}, top=10))

    def _slice(self, table: pd.DataFrame) -> pd.DataFrame:
        return explore.account_slice(table, segment=self.segment.value or None, tier=self.tier.value or None,
                                     sort=self.sort.value)

    def _draw_account(self, table: pd.DataFrame) -> None:
        a, s = self.account, self.scenario
        if a is None:
            return
        p = self.analysis.portfolio
        name = table.set_index("account_id")["name"].get(a, a) if "name" in table else a
        own = {t: getattr(p, t)[getattr(p, t)["account_id"] == a] for t in ("invoices", "surveys")
               if getattr(p, t) is not None}
        start = self.analysis.as_of - dt.timedelta(days=int(s.metrics.attrs["window_days"]))
        selected = self._slice(table)["account_id"] if self.segment.value or self.tier.value else None
        self._draw("card", lambda: Markdown(explore.account_card(table, a, s.plan.tier_labels())))
        drivers = commitment.account_drivers(s.scores, a, s.params, s.weights)
        self._draw("drivers", lambda: plots.plot_drivers(drivers, _("What makes up {name}'s score").format(name=name)),
                   inputs=(a, drivers))
        self._draw("parts", lambda: energy.part_view(s.drain.breakdown, a))
        events = s.drain.events[s.drain.events["account_id"] == a]
        self._draw("timeline", lambda: plots.plot_account_timeline(
            events, s.params.client.timezone,
            title=_("{name}: every interaction, invoice and survey of the window").format(name=name),
            start=start, end=self.analysis.as_of, invoices=own.get("invoices"), surveys=own.get("surveys")),
            inputs=(a, events[["ts", "channel", "direction", "after_hours", "off_day", "chaser", "complaint"]]))
        tiers = [t.name for t in s.params.plan.tiers]
        self._draw("position", lambda: plots.plot_commitment_vs_energy(
            table, s.params.commitment.thresholds.average, tiers=tiers, labels=s.plan.tier_labels(), highlight=a,
            selected=selected),
            inputs=(a, table[[c for c in ("account_id", "tier", "commitment_score", "energy", "drop_candidate",
                                          "high_energy", "net_value", "segment") if c in table]],
                    s.params.commitment.thresholds.average, tiers, s.plan.tier_labels(),
                    None if selected is None else tuple(selected)))


def _fingerprint(*inputs: Any) -> str:
    """A digest of what a figure is drawn from: frames and series by their content."""
    h = hashlib.sha1()
    for x in inputs:
        if isinstance(x, (pd.DataFrame, pd.Series)):
            h.update(pd.util.hash_pandas_object(x, index=True).to_numpy().tobytes())
            h.update(repr(list(x.columns) if isinstance(x, pd.DataFrame) else x.name).encode())
        else:
            h.update(repr(x).encode())
        h.update(b"|")
    return h.hexdigest()


def explorer(analysis: Analysis, params_file: str, **slice_: Any) -> w.Widget:
    """The explorer's widget for ``analysis`` (see :class:`Explorer`), ready to display."""
    return Explorer(analysis, params_file, **slice_).view

