"""Ruleset 1: the code catalogue, the engine over column chunks, the offline check, the report.

The catalogue is imported eagerly (it has no dependencies); the engine, the check and the report
writer load on first use, so that the packages they read from (rpo, objections, profiles) can
themselves use :mod:`gateway.rules.timestamps` and :mod:`gateway.rules.fields`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .catalogue import (
    BATCH_CODES,
    CODES,
    FILE_CODES,
    ROW_CODE_ORDER,
    RULESET_VERSION,
    RuleCode,
    ruleset_config,
    ruleset_config_hash,
    ruleset_info,
)

if TYPE_CHECKING:
    from .check import check_file
    from .engine import CANONICAL_COLUMNS, Outcome, evaluate
    from .report import render_report_rows, write_rendered_report_json, write_report_json

_LAZY = {
    "evaluate": ".engine",
    "Outcome": ".engine",
    "CANONICAL_COLUMNS": ".engine",
    "check_file": ".check",
    "write_report_json": ".report",
    "render_report_rows": ".report",
    "write_rendered_report_json": ".report",
}

__all__ = [
    "BATCH_CODES",
    "CANONICAL_COLUMNS",
    "CODES",
    "FILE_CODES",
    "ROW_CODE_ORDER",
    "RULESET_VERSION",
    "Outcome",
    "RuleCode",
    "check_file",
    "evaluate",
    "render_report_rows",
    "ruleset_config",
    "ruleset_config_hash",
    "ruleset_info",
    "write_rendered_report_json",
    "write_report_json",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
