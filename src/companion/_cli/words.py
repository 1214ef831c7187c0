"""Counts in the command line's own words: "1 episode", "2 episodes", through gettext's
plural forms (the interface's catalog, `companion._render.i18n.tn`), never "episode(s)"."""

from __future__ import annotations

from companion._render.i18n import tn


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun in the form that agrees with it: count(1, "episode") == "1 episode"."""
    return tn("en", f"%(num)s {singular}", f"%(num)s {plural or singular + 's'}", n)
