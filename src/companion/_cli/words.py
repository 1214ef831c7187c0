"""Counts in the command line's own words: "1 episode", "2 episodes", through gettext's
plural forms (`companion._render.i18n.count`, which the stages' messages use too), never
"episode(s)"."""

from __future__ import annotations

from companion._render.i18n import count

__all__ = ["count"]
