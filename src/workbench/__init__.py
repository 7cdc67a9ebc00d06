"""workbench: customer-relationship analysis for small service businesses.

The public API: load a client's data, compute per-account metrics and KPIs, draw them,
and run the parameterized notebooks into a report.
"""

from .analysis import Analysis, start
from .businesstime import BusinessCalendar, add_business_hours, business_hours_between
from .backtesting import Backtest, backtest, backtest_table
from .commitment import commitment_scores
from .energy import EnergyDrain, energy_drain
from .exceptions import InputError, OutputError, ParamsError, RunError, WorkbenchError
from .exports import write_plan
from .kpis import RelationshipKpis, relationship_kpis
from .load import load_portfolio, read_table
from .metrics import account_metrics
from .params import Params, load_params
from .plan import CommunicationPlan, communication_plan
from .portfolio import Portfolio, SourceFile
from .privacy import pseudonymize

__all__ = [
    "Analysis",
    "Backtest",
    "BusinessCalendar",
    "CommunicationPlan",
    "EnergyDrain",
    "InputError",
    "OutputError",
    "Params",
    "ParamsError",
    "Portfolio",
    "RelationshipKpis",
    "RunError",
    "SourceFile",
    "WorkbenchError",
    "account_metrics",
    "add_business_hours",
    "backtest",
    "backtest_table",
    "business_hours_between",
    "commitment_scores",
    "communication_plan",
    "energy_drain",
    "load_params",
    "load_portfolio",
    "pseudonymize",
    "read_table",
    "relationship_kpis",
    "start",
    "write_plan",
]
