"""Any cohort through validate and every notebook (issue #13 items 5 and 7): one patient, one
group alone with string ids in a shuffled order, and 1,000 patients. End-to-end tier: one
reproduce per cohort, made by tools/make_synthetic_cohort.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

TOOL = ROOT / "tools" / "make_synthetic_cohort.py"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COHORTS = {
    "one_patient": ["--patients", "1", "--seed", "11"],
    "cd_alone_string_ids_shuffled": [
        "--patients",
        "40",
        "--groups",
        "CD",
        "--ids",
        "SYN-",
        "--shuffle",
        "--seed",
        "12",
    ],
    "thousand": ["--patients", "1000", "--seed", "13"],
    # No CD patient: notebook 03 used to stop ('n must be at least 1, got 0').
    "uc_alone": ["--patients", "5", "--groups", "UC"],
    "pouchitis_alone": ["--patients", "5", "--groups", "pouchitis"],
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=1800)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "name",
    [
        "one_patient",
        "cd_alone_string_ids_shuffled",
        "thousand",
        "uc_alone",
        "pouchitis_alone",
    ],
)
def test_validate_and_every_notebook_run_on_the_cohort(name, tmp_path):
    cohort, outputs = tmp_path / name, tmp_path / f"{name}_outputs"
    made = _run(str(TOOL), str(cohort), *COHORTS[name])
    assert made.returncode == 0, made.stderr
    valid = _run("-m", "tacrolimus_ibd", "validate", str(cohort))
    assert valid.returncode == 0 and valid.stdout.strip().endswith(": valid"), (
        valid.stdout[-2000:] + valid.stderr[-2000:]
    )
    run = _run(
        "-m", "tacrolimus_ibd", "reproduce", "--data-dir", str(cohort), "--output-dir", str(outputs), "--no-progress"
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(p.name for p in (outputs / "notebooks").glob("*.ipynb")) == NOTEBOOKS
    assert json.loads((outputs / "manifest.json").read_text())["completed"] is True
    for path in sorted((outputs / "notebooks").glob("*.ipynb")):  # no warning, nothing on stderr
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        stderr = [o for c in cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
        assert stderr == [], (name, path.name, stderr)
    # Per-patient tables: one row per patient up to the display limit, counts (and a caption saying so) above it.
    from tacrolimus_ibd.outputs import PER_PATIENT_DISPLAY_LIMIT

    trough05 = (outputs / "notebooks" / "05_trough_levels.ipynb").read_text(encoding="utf-8")
    patients = len((cohort / "table1_baseline.csv").read_text(encoding="utf-8").splitlines()) - 1
    summarised = "not one row per patient" in trough05
    assert summarised is (patients > PER_PATIENT_DISPLAY_LIMIT), (name, patients)
