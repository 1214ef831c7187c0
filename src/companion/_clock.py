"""The one clock of companion: `clock_now`, with its seam.

``--now`` (on check, build and publish) or the ``COMPANION_NOW`` environment variable
set the moment a run is for, so a build can be reproduced for any moment and a
schedule tested; without them, the system clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo

from companion._errors import ProjectError

NOW_VARIABLE = "COMPANION_NOW"


def parse_moment(text: str, tz: tzinfo, where: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is in `tz`."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ProjectError(f"{text!r} is not a date and time", where=where,
                           fix="write it as 2026-01-05T09:00:00+04:00 (or 2026-01-05)"
                           ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def clock_now(tz: tzinfo, given: str | None = None) -> datetime:
    """`given` (``--now``), else ``COMPANION_NOW``, else the system clock."""
    if given:
        return parse_moment(given, tz, "--now")
    from_env = os.environ.get(NOW_VARIABLE, "").strip()
    if from_env:
        return parse_moment(from_env, tz, NOW_VARIABLE)
    return datetime.now(UTC)
