"""Training logs: one JSON object per line, and the same rows as CSV."""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..utils.files import atomic_write


class MetricsLog:
    """Appends rows to ``metrics.jsonl`` and ``metrics.csv`` in a run folder.

    CSV columns are those of the first row written (or the existing header on resume), plus
    ``sparse`` columns that only some rows hold (e.g. the periodic FID). A later row or a resumed
    run with a column the header lacks (a periodic FID in another feature space) widens the CSV:
    it is rewritten from the JSONL, which keeps every key, with the new column last.
    """

    def __init__(self, out_dir: str | os.PathLike[str], sparse: Sequence[str] = ()) -> None:
        self.jsonl = Path(out_dir) / "metrics.jsonl"
        self.csv = Path(out_dir) / "metrics.csv"
        self.sparse = list(sparse)
        self._columns: list[str] | None = None
        if self.csv.exists() and self.csv.stat().st_size:
            with self.csv.open(newline="") as f:
                self._columns = next(csv.reader(f), None)

    def truncate_after(self, step: int) -> None:
        """Drop rows logged after ``step`` (a resumed run repeats them) and any line torn by a
        crash mid-write."""
        if step <= 0:  # a new run: an earlier attempt's log is set aside, not lost
            kept = [p for p in (self.jsonl, self.csv) if p.exists() and p.stat().st_size]
            for path in (self.jsonl, self.csv):
                if path in kept:
                    path.replace(path.with_name(path.name + ".old"))
                path.unlink(missing_ok=True)
            if kept:
                logging.getLogger("ganzoo").warning(
                    "%s held the log of an earlier attempt without a checkpoint; kept it as "
                    "%s.old and started a new log.",
                    self.jsonl.parent,
                    self.jsonl.name,
                )
            self._columns = None
            return
        rows, torn = self._parse()
        kept = [r for r in rows if r.get("step", 0) <= step]
        if len(kept) == len(rows) and not torn:
            return
        self.jsonl.write_text("".join(json.dumps(r) + "\n" for r in kept))
        if self._columns:
            with self.csv.open("w", newline="") as f:
                writer = csv.DictWriter(f, self._columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(kept)

    def write(self, row: dict[str, Any]) -> None:
        with self.jsonl.open("a") as f:
            f.write(json.dumps(row) + "\n")
        new = self._columns is None
        if new:
            self._columns = [*row, *(c for c in self.sparse if c not in row)]
        missing = [c for c in dict.fromkeys([*row, *self.sparse]) if c not in self._columns]
        if missing:
            self._widen(missing)
            return
        with self.csv.open("a", newline="") as f:
            writer = csv.DictWriter(f, self._columns, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow(row)

    def _widen(self, columns: list[str]) -> None:
        """Rewrite the CSV from the JSONL (the row just written included) with ``columns``
        added to the header, atomically."""
        self._columns = [*(self._columns or []), *columns]

        def write(tmp: str) -> None:
            with open(tmp, "w", newline="") as f:
                writer = csv.DictWriter(f, self._columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(self.read())

        atomic_write(self.csv, write)

    def read(self) -> list[dict[str, Any]]:
        """The logged rows; a line that does not parse (torn by a crash) is skipped."""
        return self._parse()[0]

    def _parse(self) -> tuple[list[dict[str, Any]], bool]:
        """The rows that parse, and whether some non-empty line did not."""
        if not self.jsonl.exists():
            return [], False
        rows, torn = [], False
        for line in self.jsonl.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                torn = torn or bool(line.strip())
        return rows, torn
