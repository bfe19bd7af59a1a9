"""Contact-list certification gateway for Italian telemarketing."""

from __future__ import annotations

__version__ = "0.1.0"
