"""Render the tables of docs/benchmarks.md from the `ganzoo bench --json` files beside it.

python docs/scripts/bench_table.py          # rewrite the tables in place
python docs/scripts/bench_table.py --check  # exit 1 if they are stale (run by the tests)

Each docs/benchmarks/NAME.json written by `ganzoo bench --json` fills the block between
<!-- bench:NAME:begin --> and <!-- bench:NAME:end --> with the command that produced it, the
device, versions and date, and the table. Rerun the command in a block to refresh its numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ganzoo.bench import format_table, load_results
from ganzoo.utils.marked_blocks import replace_block, write_or_check

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "docs" / "benchmarks"


def block(path: Path) -> str:
    """The Markdown for one results file: command, environment, table."""
    meta, results = load_results(path)
    where = [f"torch {meta['torch']}", f"ganzoo {meta['ganzoo']}", f"Python {meta['python']}"]
    started, finished = meta["date"][:16].replace("T", " "), meta.get("finished", "")[11:16]
    load = [meta.get(k) for k in ("load_average_1min", "load_average_1min_at_end")]
    busy = (
        f"; 1-minute load average {load[0]} at the start, {load[1]} at the end"
        if None not in load
        else ""
    )
    lines = [
        f"```bash\n{meta['command']}\n```",
        "",
        f"{meta['device']}; {', '.join(where)}; {started} to {finished} UTC{busy}.",
        f"Results: [{path.relative_to(DOC.parent).as_posix()}]({path.relative_to(DOC.parent).as_posix()})",
        "",
        format_table(results, markdown=True),
    ]
    peaks: dict[str, list[float]] = {}
    for r in results:
        for x in [r, r.reference] if r.reference else [r]:
            if x.peak_kernel and x.peak_flops:
                peaks.setdefault(x.peak_kernel, []).append(x.peak_flops / 1e9)
    for kernel, values in peaks.items():
        span = f"{min(values):,.0f}" + (
            f" to {max(values):,.0f}" if max(values) > min(values) else ""
        )
        lines += ["", f"Peak (`% peak`): {kernel}, best round {span} GFLOP/s."]
    return "\n".join(lines)


def render(text: str) -> str:
    """``text`` with every bench block that has a results file replaced by a fresh rendering."""
    for path in sorted(RESULTS.glob("*.json")):
        if "command" not in json.loads(path.read_text()).get("meta", {}):
            continue  # other benchmark files (pytest-benchmark output)
        try:
            text = replace_block(text, f"bench:{path.stem}", block(path))
        except ValueError as error:
            sys.exit(f"{DOC} has {error} for {path}")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the tables are stale")
    args = parser.parse_args()
    fresh = {DOC: render(DOC.read_text())}
    return write_or_check(fresh, check=args.check, remedy="python docs/scripts/bench_table.py")


if __name__ == "__main__":
    sys.exit(main())
