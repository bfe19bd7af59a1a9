"""``python -m gateway.bench``."""

from .cli import main

raise SystemExit(main())
