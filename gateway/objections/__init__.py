"""Objections: numbers whose owners objected to one buyer or to everyone."""

from __future__ import annotations

from .index import ObjectionIndex
from .ledger import GLOBAL, ObjectionLedger
from .parse import parse_number, parse_objections

__all__ = ["GLOBAL", "ObjectionIndex", "ObjectionLedger", "parse_number", "parse_objections"]
