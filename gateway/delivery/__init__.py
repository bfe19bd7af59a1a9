"""Downloads: certified lists for buyers, reports and signed decisions, all audited."""

from .service import (
    Download,
    batch_id_of,
    certified_view,
    get_certified,
    is_valid,
    list_certified,
    list_id_of,
    open_certified_list,
    open_decision,
    open_report,
    open_rpo_request,
    read_decision,
)

__all__ = [
    "Download",
    "batch_id_of",
    "certified_view",
    "get_certified",
    "is_valid",
    "list_certified",
    "list_id_of",
    "open_certified_list",
    "open_decision",
    "open_report",
    "open_rpo_request",
    "read_decision",
]
