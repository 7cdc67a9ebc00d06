"""workbench: customer-relationship analysis for small service businesses."""

from .exceptions import InputError, ParamsError, RunError, WorkbenchError
from .params import Params, load_params
from .portfolio import Portfolio, SourceFile

__all__ = [
    "InputError",
    "Params",
    "ParamsError",
    "Portfolio",
    "RunError",
    "SourceFile",
    "WorkbenchError",
    "load_params",
]
