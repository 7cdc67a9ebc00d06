"""What a notebook calls first: params, data and metrics in one object, and publishing.

A notebook runs the same way in JupyterLab, under papermill and under nbval: it passes its
parameters to :func:`start` and gets back everything it needs; when a run gives it an
``out_dir``, :meth:`Analysis.publish` leaves its headline figures and per-account columns
there for the runner to assemble into ``summary.json`` and ``accounts.csv``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown

from .businesstime import BusinessCalendar
from .commitment import commitment_scores
from .energy import ImplausibleLog, implausible_log
from .i18n import _, activate
from .metrics import Coverage, coverage
from .params import Params, load_params
from .portfolio import Portfolio
from .prepared import PREPARED, prepare, read_prepared
from .weighting import WeightFit, fit_weights

PARTS = "parts"
OFFLINE_RENDERER = "workbench_offline"


def _use_renderer(offline: bool) -> None:
    """Draw figures offline (report runs) or as figure JSON (JupyterLab, nbval).

    The offline renderer is plotly's notebook renderer without the MathJax it always
    fetches from a CDN: activation embeds plotly.js once per notebook and each figure is
    then a small HTML snippet, so the report draws with no network and stays one file.
    plotly's renderers import nbformat and jsonschema (seconds), so only a notebook pays.
    """
    import plotly.io as pio
    from plotly.io._base_renderers import NotebookRenderer

    class OfflineRenderer(NotebookRenderer):
        def __init__(self) -> None:
            super().__init__(connected=False)

        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
            html = pio.to_html(
                fig_dict, include_plotlyjs=False, include_mathjax=False, full_html=False,
                default_width="100%", default_height=450, validate=False,
            )
            return {"text/html": html}

    if OFFLINE_RENDERER not in pio.renderers:
        pio.renderers[OFFLINE_RENDERER] = OfflineRenderer()
    pio.renderers.default = OFFLINE_RENDERER if offline else "plotly_mimetype"


@dataclass
class Analysis:
    """One client's data and metrics at ``as_of``, as the notebooks see them."""

    params: Params
    portfolio: Portfolio
    metrics: pd.DataFrame
    as_of: dt.date
    out_dir: Path | None = None
    interactive: bool = False
    #: The weights a run fitted once for all its notebooks, and the scores under them;
    #: None: computed when first needed.
    fitted: WeightFit | None = None
    scored: pd.DataFrame | None = None

    @property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_params(self.params)

    @cached_property
    def coverage(self) -> Coverage:
        """What the data holds: which figures can be drawn and why the others cannot."""
        return coverage(self.portfolio, self.metrics)

    @cached_property
    def weight_fit(self) -> WeightFit:
        """The commitment weights fitted to this client's last completed horizon (or the
        params file's, and why); one fit for every figure of the notebook."""
        return self.fitted or fit_weights(self.portfolio, self.params, as_of=self.as_of)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Commitment scores, segments and parts under :attr:`weight_fit`'s weights."""
        if self.scored is not None:
            return self.scored
        return commitment_scores(self.metrics, self.params, self.weight_fit.weights)

    @cached_property
    def log_check(self) -> ImplausibleLog | None:
        """The contact log against the team's capacity: set when it cannot be contacts."""
        return implausible_log(self.metrics, self.portfolio.log_source, self.portfolio.team, self.params)

    def notes_markdown(self, missing: list[str] | tuple[str, ...] = ()) -> str:
        """What to check in the data, what the loader repaired and what could not be
        computed, as a markdown list."""
        # The loader's notes (and the log check's sentence) are made elsewhere; the frame
        # around them is in the report's language.
        lines = [_("- **Check:** {note}").format(note=self.log_check.sentence())] if self.log_check else []
        lines += [_("- Repaired: {note}").format(note=n) for n in self.portfolio.notes]
        lines += [_("- Not computed: {note}").format(note=m) for m in missing]
        return "\n".join(lines) if lines else _("- The data needed no repairs and every figure could be computed.")

    def show(self, what: str | None, draw: Callable[[], Any], *, needs: Sequence[str] = (),
             reason: str | None = None) -> Any:
        """``draw()``, or one sentence saying why ``what`` cannot be shown.

        Parameters
        ----------
        what : str or None
            What the figure or table shows, as the sentence's subject ("Contact over
            time"); None: a figure that follows another on the same data shows nothing
            rather than repeat the sentence.
        draw : callable
            Makes the figure or table; called only when the data allows it.
        needs : sequence of str
            Names in :data:`workbench.metrics.NEEDS` the figure needs.
        reason : str, optional
            Why it cannot be shown though the data has what it needs (an analysis's own
            verdict, e.g. no account could be scored); None: nothing beyond ``needs``.
        """
        why = self.coverage.lacks(*needs) or reason
        if why is None:
            return draw()
        return Markdown(_("{what} cannot be shown: {why}.").format(what=what, why=why)) if what else None

    def publish(
        self, notebook: str, headline: dict[str, Any], accounts: pd.DataFrame | None = None
    ) -> None:
        """Leave this notebook's results for the run record (no-op outside a run).

        Parameters
        ----------
        notebook : str
            The notebook's name, e.g. ``"00_overview"``; its section in ``summary.json``.
        headline : dict
            JSON-ready headline figures.
        accounts : pandas.DataFrame, optional
            Per-account columns keyed by ``account_id``, joined into ``accounts.csv``.
        """
        if self.out_dir is None:
            return
        parts = self.out_dir / PARTS
        parts.mkdir(parents=True, exist_ok=True)
        (parts / f"{notebook}.json").write_text(
            json.dumps(headline, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
        )
        if accounts is not None:
            table = accounts.copy()
            table.attrs = {}  # pyarrow would store attrs as JSON metadata; dates break that
            table.to_parquet(parts / f"{notebook}.accounts.parquet", index=False)


def start(
    params_file: str = "params/default.yaml",
    *,
    as_of: str | dt.date | None = None,
    data_dir: str | None = None,
    out_dir: str | None = None,
    interactive: bool = False,
) -> Analysis:
    """Load params, data and per-account metrics for a notebook.

    Parameters
    ----------
    params_file : str
        Parameter file, relative to the repository root.
    as_of : str or date, optional
        ``YYYY-MM-DD``; default from params, else the day after the latest interaction.
    data_dir : str, optional
        A folder to read instead of ``data.dir``; the params file's ``data.tables``
        mapping still applies.
    out_dir : str, optional
        Set by ``workbench run``: results are published there and figures are rendered
        self-contained so the HTML report draws them offline.
    interactive : bool
        Whether widgets may be shown (False in scheduled runs and nbval).

    Examples
    --------
    >>> a = start("params/default.yaml")
    >>> len(a.metrics) == len(a.portfolio.accounts)
    True
    """
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    params = load_params(params_file, data_dir=data_dir, as_of=day)
    # Everything the notebook shows from here on is in the report's language and locale.
    activate(params.report.language, params.client.currency)
    # In a run the runner has prepared the data once for every notebook; alone, the
    # notebook prepares it itself, the same way.
    kept = Path(out_dir) / PARTS / PREPARED if out_dir else None
    prepared = read_prepared(kept) if kept and kept.is_dir() else None
    # A prepared step of another day (a notebook rerun by hand with another as_of in a
    # run's folder) would answer for the wrong day: then prepare afresh.
    if prepared is None or (params.as_of is not None and prepared.as_of != params.as_of):
        prepared = prepare(params, fit=False)
    # Report runs embed plotly.js once per notebook so the HTML draws with no network;
    # elsewhere the figure JSON alone keeps notebooks small (JupyterLab renders it).
    _use_renderer(offline=bool(out_dir))
    return Analysis(
        params=params,
        portfolio=prepared.portfolio,
        metrics=prepared.metrics,
        as_of=prepared.as_of,
        out_dir=Path(out_dir) if out_dir else None,
        interactive=interactive,
        fitted=prepared.weight_fit,
        scored=prepared.scores,
    )
