"""Benchmark the explorer: how long one moved control takes to answer, against recomputing
everything from the data as a batch run would.

For each setting moved, prints side by side:

- *explorer, recompute*: :meth:`workbench.scenario.Scenarios.evaluate` (what it keeps: the
  metrics, the energy events, the commitment indicators and the fitted weights);
- *explorer, redraw*: every view of :class:`workbench.widgets.Explorer` drawn again (the
  figures' data made, as the kernel sends it to the page);
- *reference*: the same answers from nothing kept (metrics, commitment indicators with
  their BG/NBD fit, energy events, drain and plan), i.e. what moving a control would cost
  without the explorer's cache.

Medians of ``--repeat`` runs in one process, each with a new value, after one warm-up;
the reference redraws as the explorer does. Asserts nothing: speed is measured, not tested.

    .venv/bin/python benchmarks/bench_explorer.py
    .venv/bin/python benchmarks/bench_explorer.py --params params/acme.yaml --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import workbench as wb
from workbench import scenario, widgets

#: One setting of each kind of knob (a "log" knob recounts the contact log), with a new
#: value for each run: a value seen before would be answered from what was drawn for it.
MOVES: list[tuple[str, list[Any]]] = [
    ("energy.complaint_weight", [4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("energy.pareto_share", [0.75, 0.7, 0.65, 0.6, 0.85, 0.9]),
    ("energy.low_value_per_energy_hour", [100.0, 120.0, 140.0, 160.0, 180.0, 200.0]),
    ("commitment.weights.recency", [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]),
    ("commitment.thresholds.average", [50, 51, 52, 53, 54, 56]),
    ("plan.tiers.grey mass.response_hours", [20.0, 24.0, 32.0, 40.0, 48.0, 56.0]),
    ("plan.tiers.grey mass.cadence_weeks", [8, 9, 10, 11, 12, 14]),
    ("chasers.window_minutes", [90, 120, 150, 180, 210, 240]),
    ("business_hours.end", ["16:30", "17:00", "17:30", "18:00", "15:30", "15:00"]),
]


def _reference(a: wb.Analysis, params: wb.Params, weights: dict[str, float]) -> None:
    metrics = wb.account_metrics(a.portfolio, params, as_of=a.as_of)
    scores = wb.commitment_scores(metrics, params, weights)
    drain = wb.energy_drain(a.portfolio, metrics, params, committed=scores.set_index("account_id")["committed"])
    wb.communication_plan(a.portfolio, metrics, params, scores=scores, drain=drain)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--params", default="params/default.yaml")
    ap.add_argument("--repeat", type=int, default=5, help="runs per setting, each a new value (at most 5)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    a = wb.start(args.params)
    x = widgets.Explorer(a, args.params)
    opened = time.perf_counter() - t0
    print(f"{a.params.client.name}: {len(a.metrics)} accounts, {0 if a.portfolio.interactions is None else len(a.portfolio.interactions)} interactions; "
          f"explorer opened in {opened:.1f} s (data, metrics, weight fit, first answers and drawing)\n")
    header = (f"{'setting moved':<38} {'recompute s':>11} {'redraw s':>9} {'explorer s':>10} "
              f"{'reference s':>11} {'× ref':>6}")
    print(header)
    print("-" * len(header))
    for key, values in MOVES:
        runs = values[:args.repeat + 1]
        recompute, redraw, reference = [], [], []
        for i, value in enumerate(runs):
            x.set(key, value)  # as the control does: recompute, then redraw what changed
            params = scenario.with_settings(a.params, {} if "weights" in key else {key: value})
            weights = dict(a.weight_fit.weights) | ({key.rsplit(".", 1)[1]: value} if "weights" in key else {})
            t0 = time.perf_counter()
            _reference(a, params, weights)
            if i:  # the first run warms up
                recompute.append(x.timings["recompute"])
                redraw.append(x.timings["draw"])
                reference.append(time.perf_counter() - t0)
        x.reset()
        r, d, ref = (statistics.median(v) for v in (recompute, redraw, reference))
        print(f"{key:<38} {r:>11.2f} {d:>9.2f} {r + d:>10.2f} {ref + d:>11.2f} {(r + d) / (ref + d):>6.2f}")
    print("\nexplorer = what a person waits for after moving the control; reference = recomputing from nothing "
          "kept, plus the same redraw.")


if __name__ == "__main__":
    main()
