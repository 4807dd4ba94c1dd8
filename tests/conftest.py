"""Shared fixtures: the project's folders, and corrupted copies of data/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
#: The extracted paper text lives beside the project (../shared/paper/), not inside it.
PAPER_TEXT = Path(os.environ.get("TACROLIMUS_PAPER_TEXT", ROOT.parent / "shared" / "paper" / "ng-arebi-kamm-2007-ibd.txt"))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def paper_text() -> str:
    if not PAPER_TEXT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the paper's text is expected at {PAPER_TEXT} in CI")
        pytest.skip(f"the paper's extracted text is not at {PAPER_TEXT}")
    return PAPER_TEXT.read_text(encoding="utf-8")
