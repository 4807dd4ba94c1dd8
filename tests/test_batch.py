"""Batch runs: one suite run per parameter set, only declared parameters passed, results compared."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tacrolimus_ibd import engine, pipeline
from tacrolimus_ibd.__main__ import main
from tacrolimus_ibd.batch import BatchError, check_runs, declared_parameters, load_batch_file

from .conftest import ROOT, copy_project

SYNTHETIC_COHORT = ROOT / "examples" / "synthetic_cohort"


def _notebook(name: str, params: str, body: str) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# {name}"), cell, new_code_cell(body)]
    return nb


#: Two small notebooks, each declaring its own parameter, saving key results like the real ones.
SMALL_NOTEBOOKS = {
    "02_alpha.ipynb": _notebook(
        "02 · alpha",
        'data_dir = "../data"\noutput_dir = None\nalpha: float = 0.05  # a level',
        "from tacrolimus_ibd import data\nfrom tacrolimus_ibd.outputs import save_key_results\n"
        "if alpha >= 0.5:\n    raise ValueError('alpha too large: a deliberate failure')\n"
        "cohort = data.load_cohort(data_dir)\n"
        "save_key_results({'alpha': alpha, 'n_patients': len(cohort)}, '02_alpha', output_dir)",
    ),
    "03_band.ipynb": _notebook(
        "03 · band",
        'data_dir = "../data"\noutput_dir = None\nlow: float = 5.0  # lower end\nhigh: float = 10.0  # upper end',
        "from tacrolimus_ibd.outputs import save_key_results\nsave_key_results({'band_width': high - low}, '03_band', output_dir)",
    ),
}


def _project(root: Path) -> Path:
    project = copy_project(root / "project", notebooks=[])
    for name, nb in SMALL_NOTEBOOKS.items():
        nbformat.write(nb, project / "notebooks" / name)
    shutil.copytree(SYNTHETIC_COHORT, project / "other_centre")  # what tools/make_synthetic_cohort.py writes (tested)
    return project


def _batch(project: Path, text: str) -> SimpleNamespace:
    """`python -m tacrolimus_ibd batch batch.yaml --no-progress` in the project (in this process):
    its exit status and what it printed."""
    (project / "batch.yaml").write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(
            [
                "batch",
                str(project / "batch.yaml"),
                "--project-dir",
                str(project),
                "--output-dir",
                str(project / "outputs" / "batch"),
                "--no-progress",
            ]
        )
    return SimpleNamespace(returncode=status, stdout=out.getvalue(), stderr=err.getvalue())


BATCH = """
runs:
  default: {}
  changed:
    alpha: 0.01
    low: 10.0
    high: 15.0
  other_centre:
    data_dir: other_centre
  broken:
    alpha: 0.9
"""


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("batch"))
    result = _batch(project, BATCH)
    return project, result


@pytest.mark.e2e
def test_batch_exit_status_names_the_failed_run(batch_run):
    project, result = batch_run
    assert result.returncode == 1, result.stderr
    assert "broken: FAILED: 02_alpha.ipynb: cell 3" in result.stderr
    assert "Traceback" not in result.stderr
    for run in ("default", "changed", "other_centre"):
        assert f"{run}: ok" in result.stdout


@pytest.mark.e2e
def test_each_run_is_published_with_its_own_manifest(batch_run):
    project, _ = batch_run
    batch = project / "outputs" / "batch"
    for run in ("default", "changed", "other_centre"):
        manifest = json.loads((batch / run / "manifest.json").read_text())
        assert manifest["completed"] is True
        assert manifest["batch_run"] == run
        assert sorted(p.name for p in (batch / run / "notebooks").glob("*.ipynb")) == [
            "02_alpha.ipynb",
            "03_band.ipynb",
        ]
    assert json.loads((batch / "changed" / "manifest.json").read_text())["parameters"]["alpha"] == 0.01
    assert (
        "other_centre/table1_baseline.csv"
        in json.loads((batch / "other_centre" / "manifest.json").read_text())["data_files"]
    )
    # The failed run keeps only its failed notebook and manifest, apart, like a failed reproduce.
    assert not (batch / "broken").exists()
    broken = sorted(
        p.relative_to(batch / "broken.failed").as_posix() for p in (batch / "broken.failed").rglob("*") if p.is_file()
    )
    assert broken == ["02_alpha.ipynb", "manifest.json"]
    assert not list(batch.glob(".*"))  # no staging folders left behind
    assert not list((project / "outputs").glob(".*"))  # nor the lock


@pytest.mark.e2e
def test_each_notebook_receives_only_the_parameters_it_declares(batch_run):
    project, _ = batch_run
    run = project / "outputs" / "batch" / "changed" / "notebooks"

    def injected(name: str) -> str:
        nb = nbformat.read(run / name, as_version=4)
        return "\n".join(c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))

    assert "alpha = 0.01" in injected("02_alpha.ipynb") and "low" not in injected("02_alpha.ipynb")
    assert "low = 10.0" in injected("03_band.ipynb") and "alpha" not in injected("03_band.ipynb")
    assert 'output_dir = "../outputs/batch/changed"' in injected(
        "03_band.ipynb"
    )  # the final place, not the staging folder


@pytest.mark.e2e
def test_summary_compares_key_results_across_runs(batch_run):
    project, _ = batch_run
    batch = project / "outputs" / "batch"
    wide = pd.read_csv(batch / "summary.csv").set_index(["notebook", "key"])
    assert list(wide.columns) == ["default", "changed", "other_centre"]  # completed runs, in the file's order
    assert wide.loc[("02_alpha", "alpha")].tolist() == [0.05, 0.01, 0.05]
    assert wide.loc[("02_alpha", "n_patients")].tolist() == [19, 19, 16]  # the synthetic centre's cohort
    assert wide.loc[("03_band", "band_width")].tolist() == [5.0, 5.0, 5.0]
    long = pd.read_csv(batch / "summary_long.csv")
    assert list(long.columns) == ["run", "notebook", "key", "value"]
    assert len(long) == 3 * 3
    runs = pd.read_csv(batch / "runs.csv").set_index("run")
    assert runs["completed"].to_dict() == {"default": True, "changed": True, "other_centre": True, "broken": False}


def test_undeclared_parameter_is_refused_before_anything_runs(tmp_path):
    project = _project(tmp_path)
    result = _batch(project, "runs:\n  typo:\n    alpah: 0.01\n")
    assert result.returncode == 2
    assert "run 'typo': parameter 'alpah' is declared by no notebook" in result.stderr
    assert "alpha" in result.stderr  # the declared parameters are listed
    assert not (project / "outputs").exists()


def test_invalid_data_dir_is_refused_before_anything_runs(tmp_path):
    project = _project(tmp_path)
    table = project / "other_centre" / "table1_baseline.csv"
    lines = table.read_text().splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[1], "abc", 1)  # age of the first patient
    table.write_text("\n".join(lines) + "\n")
    result = _batch(project, "runs:\n  ok: {}\n  bad:\n    data_dir: other_centre\n  missing:\n    data_dir: nowhere\n")
    assert result.returncode == 2
    assert "run 'bad': data_dir other_centre: other_centre/table1_baseline.csv:2:age" in result.stderr
    assert "run 'missing': data_dir nowhere:" in result.stderr and "data folder not found" in result.stderr
    assert not (project / "outputs").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("default: {}\n", "non-empty 'runs:'"),
        ("runs: {}\n", "non-empty 'runs:'"),
        ("runs:\n  'a b': {}\n", "a run name must be"),
        ("runs:\n  a:\n    output_dir: x\n", "'output_dir' is set by the batch"),
        ("runs:\n  a:\n    alpha: {x: 1}\n", "must be a number, text"),
        ("runs:\n  a: {}\nextra: 1\n", "unknown top-level key 'extra'"),
        ("runs: [\n", "not valid YAML"),
    ],
)
def test_malformed_batch_files_are_explained(tmp_path, text, message):
    path = tmp_path / "batch.yaml"
    path.write_text(text)
    with pytest.raises(BatchError) as err:
        load_batch_file(path)
    assert message in str(err.value)


def test_example_batch_file_runs_with_the_committed_notebooks():
    specs = load_batch_file(ROOT / "examples" / "batch.yaml")
    notebooks = pipeline.discover_notebooks(ROOT / "notebooks")
    assert check_runs(specs, pipeline.declared_parameters(notebooks), project_dir=ROOT) == []
    assert check_runs(specs, declared_parameters(notebooks), project_dir=ROOT) == []
    assert {s.name for s in specs} >= {"default", "per_protocol", "synthetic_centre"}
    assert any(s.data_dir != "data" for s in specs)


@pytest.mark.e2e  # two batches of real runs, kernels and all: the end-to-end tier's kind of test
def test_a_batch_started_inside_a_run_it_replaces_runs_every_run(tmp_path, monkeypatch):
    """Started from inside outputs/batch/<run>/ (the folder its first run replaces), a batch
    works from the project folder: every later run used to fail as papermill read a removed folder."""
    project = _project(tmp_path)
    runs = "runs:\n  default: {}\n  changed:\n    alpha: 0.01\n"
    assert _batch(project, runs).returncode == 0
    monkeypatch.chdir(project / "outputs" / "batch" / "default")
    again = _batch(project, runs)
    assert again.returncode == 0, again.stderr
    assert Path.cwd() == project.resolve()
    for name in ("default", "changed"):
        assert json.loads((project / "outputs" / "batch" / name / "manifest.json").read_text())["completed"]


def test_reproduce_keeps_earlier_batch_runs(tmp_path):
    outputs, staging = tmp_path / "outputs", tmp_path / ".outputs.partial-x"
    (outputs / "batch" / "run").mkdir(parents=True)
    (outputs / "batch" / "run" / "manifest.json").write_text("{}")
    (outputs / "my_centre").mkdir()
    (outputs / "my_centre" / "manifest.json").write_text("{}")  # another reproduce's outputs
    (outputs / "README.md").write_text("tracked")
    (outputs / "stale.csv").write_text("old")
    (outputs / "manifest.json").write_text(json.dumps({"outputs": {"stale.csv": "x"}}))
    staging.mkdir()
    (staging / "new.csv").write_text("new")
    engine.publish_folder(staging, outputs)
    assert sorted(p.relative_to(outputs).as_posix() for p in outputs.rglob("*") if p.is_file()) == [
        "README.md",
        "batch/run/manifest.json",
        "my_centre/manifest.json",
        "new.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]
