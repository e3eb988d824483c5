"""The generated blocks the docs scripts rewrite: replaced in place, stale files named, not written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ganzoo.utils.marked_blocks import has_block, replace_block, write_or_check

PAGE = (
    "intro\n<!-- t:begin -->\nold\n<!-- t:end -->\nmiddle\n<!-- u:begin -->\nkeep\n<!-- u:end -->\n"
)


def test_replace_block_changes_only_that_block() -> None:
    new = replace_block(PAGE, "t", "| a |\n| b |\n")
    assert new == PAGE.replace("old", "| a |\n| b |")
    assert replace_block(new, "t", "old") == PAGE


def test_a_missing_block_is_an_error_that_names_its_markers() -> None:
    assert has_block(PAGE, "u") and not has_block(PAGE, "v")
    with pytest.raises(ValueError, match=re.escape("<!-- v:begin --> ... <!-- v:end -->")):
        replace_block(PAGE, "v", "x")


def test_check_names_a_stale_file_and_leaves_it(tmp_path: Path, capsys) -> None:
    current, stale = tmp_path / "current.md", tmp_path / "stale.md"
    current.write_text(PAGE)
    stale.write_text(PAGE)
    fresh = {current: PAGE, stale: replace_block(PAGE, "t", "new")}
    assert write_or_check(fresh, check=True, remedy="python make.py") == 1
    message = capsys.readouterr().err
    assert str(stale) in message and str(current) not in message and "python make.py" in message
    assert stale.read_text() == PAGE
    assert write_or_check({current: PAGE}, check=True, remedy="python make.py") == 0


def test_write_brings_only_the_changed_files_up_to_date(tmp_path: Path) -> None:
    current, stale = tmp_path / "current.md", tmp_path / "stale.md"
    current.write_text(PAGE)
    stale.write_text(PAGE)
    before = current.stat().st_mtime_ns, current.stat().st_ino
    fresh = {current: PAGE, stale: replace_block(PAGE, "t", "new")}
    assert write_or_check(fresh, check=False, remedy="python make.py") == 0
    assert stale.read_text() == fresh[stale]
    assert (current.stat().st_mtime_ns, current.stat().st_ino) == before
    assert write_or_check(fresh, check=True, remedy="python make.py") == 0
