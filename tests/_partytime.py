"""podcast-partytime, the Podcast Index's feed parser (npm, `scripts/node-deps`), run on a
feed file by node: what it reads of the channel and the items, as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests._groups import skip

REPO = Path(__file__).resolve().parent.parent
PARTYTIME = REPO / "node_modules" / "podcast-partytime"
_SCRIPT = """
const {parseFeed} = require(process.argv[1]);
const feed = parseFeed(require("fs").readFileSync(process.argv[2], "utf8"));
process.stdout.write("\\n@@" + JSON.stringify(feed) + "\\n");
"""


def partytime(feed: Path) -> dict[str, Any]:
    """The feed as partytime parses it (its log lines are left out); skipped without it."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or not PARTYTIME.is_dir():
        skip("partytime", f"podcast-partytime is not installed at {PARTYTIME} "
             "(scripts/node-deps installs it with npm)")
    assert node is not None
    done = subprocess.run([node, "-e", _SCRIPT, str(PARTYTIME), str(feed)],
                          capture_output=True, text=True, check=True, timeout=120)
    [line] = [ln for ln in done.stdout.splitlines() if ln.startswith("@@")]
    parsed: dict[str, Any] = json.loads(line[2:])
    return parsed
