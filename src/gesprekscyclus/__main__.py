"""``python -m gesprekscyclus`` runs the command line."""

from gesprekscyclus.cli import main

raise SystemExit(main())
