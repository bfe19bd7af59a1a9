"""The benchmark of the issue "certify a million rows in seconds, with flat memory".

``python -m gateway.bench [--rows N] [--cases 1,3,6] [--json]`` generates deterministic data
and measures six cases, each in a process of its own:

1. a CSV batch of N rows through the whole batch job (read from the store, judge, write the
   certified list and the report, sign);
2. the same with 5N rows (throughput and memory should not move);
3. an XLSX batch of N/5 rows through the batch job;
4. N RPO lookups against three consultations holding 30N entries;
5. an upload of about N KB through the API to a ``gateway serve`` process (its memory);
6. the naive row-by-row reference (:mod:`gateway.rules.reference`) against the engine on the
   same rows, in the same process.
"""

from .cases import CASES, TARGETS
from .cli import build_parser, main

__all__ = ["CASES", "TARGETS", "build_parser", "main"]
