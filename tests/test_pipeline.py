"""The papermill pipeline: complete outputs or a clean failure, refused bad data, identical reruns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tacrolimus_ibd.data import DataValidationError
from tacrolimus_ibd.pipeline import discover_notebooks, reproduce, strip_volatile_metadata

from .conftest import ROOT, copy_project


def _project(tmp_path: Path, notebooks: list[str], extra: dict[str, nbformat.NotebookNode] | None = None) -> Path:
    project = copy_project(tmp_path / "project", notebooks)
    for name, nb in (extra or {}).items():
        nbformat.write(nb, project / "notebooks" / name)
    return project


def _small_notebook(cells: list[str]) -> nbformat.NotebookNode:
    """A notebook with the compendium's parameters cell, then the cells given."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    params = new_code_cell('data_dir = "../data"\noutput_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *map(new_code_cell, cells)]
    return nb


def _failing_notebook() -> nbformat.NotebookNode:
    """Writes a table, then fails in its third cell (the parameters cell is the first)."""
    return _small_notebook(
        [
            "from tacrolimus_ibd.outputs import save_table\nimport pandas as pd\nsave_table(pd.DataFrame({'a': [1]}), 'partial', output_dir)",
            "raise ValueError('deliberate failure for the test')",
        ]
    )


def test_discover_orders_numbered_notebooks(tmp_path):
    for name in ["02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "10_c.ipynb"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in discover_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]


def test_strip_volatile_metadata_removes_timings_and_staging_paths():
    nb = new_notebook()
    nb.metadata["papermill"] = {
        "start_time": "t0",
        "end_time": "t1",
        "duration": 1.0,
        "parameters": {"output_dir": "../.outputs.partial"},
        "version": "2.6.0",
    }
    cell = new_code_cell('output_dir = "../.outputs.partial"')
    cell.metadata = {
        "tags": ["injected-parameters"],
        "papermill": {"duration": 0.1},
        "execution": {"iopub.status.busy": "t"},
    }
    nb.cells = [cell]
    out = strip_volatile_metadata(nb, paths={"../.outputs.partial": "../outputs"})
    assert out.metadata["papermill"] == {"parameters": {"output_dir": "../outputs"}, "version": "2.6.0"}
    assert out.cells[0].metadata == {"tags": ["injected-parameters"]}
    assert out.cells[0].source == 'output_dir = "../outputs"'


def test_bad_data_is_refused_before_anything_runs(tmp_path):
    project = _project(tmp_path, ["01_cohort.ipynb"])
    table = project / "data" / "table1_baseline.csv"
    table.write_text(table.read_text().replace("1,23,F", "1,abc,F"))
    with pytest.raises(DataValidationError) as err:
        reproduce(project_dir=project, progress=False)
    assert "table1_baseline.csv:2:age" in str(err.value)
    assert not (project / "outputs").exists()
    assert not list(project.glob(".outputs*"))


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tacrolimus_ibd", *args], capture_output=True, text=True, timeout=timeout
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.e2e
def test_failed_notebook_after_a_good_run_leaves_the_outputs_as_they_were(tmp_path):
    """A good run, then `python -m tacrolimus_ibd reproduce` with one notebook failing: it exits 1
    naming the notebook and the cell, keeps the failed notebook and the run's manifest in
    outputs.failed/, and leaves outputs/ byte for byte as the good run published it."""
    writes = _small_notebook(
        ["from tacrolimus_ibd.outputs import save_key_results\nsave_key_results({'n': 1}, '01_writes', output_dir)"]
    )
    project = _project(tmp_path, [], {"01_writes.ipynb": writes})
    good = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert good.returncode == 0, good.stderr
    before = _tree(project / "outputs")
    assert "key_results/01_writes.json" in before
    nbformat.write(_failing_notebook(), project / "notebooks" / "02_fails.ipynb")
    result = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site", "--jobs", "2")
    assert result.returncode == 1
    assert "02_fails.ipynb: cell 3" in result.stderr  # the third cell of the source notebook
    assert "deliberate failure" in result.stderr
    assert "outputs.failed" in result.stderr and "left as it was" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(project / "outputs") == before
    failed = project / "outputs.failed"
    assert sorted(_tree(failed)) == ["02_fails.ipynb", "manifest.json"]
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["completed"] is False
    assert "02_fails.ipynb" in manifest["failures"][0]
    assert sorted(p.name for p in project.iterdir()) == ["data", "notebooks", "outputs", "outputs.failed"], (
        "staging or lock left behind"
    )
    # The next good run publishes and removes the failure it supersedes.
    (project / "notebooks" / "02_fails.ipynb").unlink()
    again = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert again.returncode == 0, again.stderr
    assert not failed.exists()


#: The notebook rerun to show determinism: it writes a table, a figure and its executed copy.
RERUN = "01_cohort.ipynb"


@pytest.mark.e2e
def test_reruns_are_byte_identical(reproduction, tmp_path):
    """A second run of a notebook writes the same bytes as the session's full reproduction."""
    project = _project(tmp_path, [RERUN])
    second = reproduce(project_dir=project, progress=False)
    assert second.completed
    outputs = project / "outputs"
    again = {
        p.relative_to(outputs).as_posix(): p.read_bytes()
        for p in outputs.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert any(name.startswith("figures/") and name.endswith(".png") for name in again)
    assert any(name.startswith("tables/") for name in again)
    assert f"notebooks/{RERUN}" in again
    first = reproduction.outputs
    for name, content in again.items():
        assert (first / name).read_bytes() == content, f"{name} differs between two runs"
    manifest = json.loads((outputs / "manifest.json").read_text())
    assert manifest["completed"] is True
    assert set(manifest["outputs"]) == set(again)
    assert "table1_baseline.csv" in " ".join(manifest["data_files"])
    assert manifest["packages"]["pandas"]


@pytest.mark.e2e
def test_the_full_run_manifest_records_its_provenance(reproduction):
    manifest = json.loads((reproduction.outputs / "manifest.json").read_text())
    assert manifest["completed"] is True and manifest["failures"] == []
    assert {
        "git_commit",
        "git_dirty",
        "dirty_files",
        "python",
        "platform",
        "packages",
        "parameters",
        "started",
        "finished",
    } <= manifest.keys()
    assert manifest["notebooks"] == [p.name for p in discover_notebooks(ROOT / "notebooks")]
    recorded = {name for name in manifest["outputs"]}
    written = {p.relative_to(reproduction.outputs).as_posix() for p in reproduction.outputs.rglob("*") if p.is_file()}
    assert recorded == written - {"manifest.json"}
    import hashlib

    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((reproduction.outputs / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.e2e
def test_parallel_kernels_each_start_in_their_own_folder(tmp_path):
    """Regressions of kernels started together. papermill's cwd= changes the whole process's
    folder, which raced between threads and started some kernels in the wrong place (a notebook
    then found no ../data). Over TCP, kernels raced for ports ("Address already in use", then
    "Kernel didn't respond"): on POSIX they now talk over Unix sockets."""
    import concurrent.futures
    import os

    from tacrolimus_ibd.pipeline import execute_notebook

    folders = [tmp_path / name for name in ("a", "b", "c", "d")]
    for folder in folders:
        folder.mkdir()
        nb = new_notebook(
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        )
        nb.cells = [
            new_code_cell("import os\nprint(os.getcwd())"),
            new_code_cell(
                "from ipykernel import get_connection_info\nprint(get_connection_info(unpack=True)['transport'])"
            ),
        ]
        nbformat.write(nb, folder / "01_where.ipynb")

    before = os.getcwd()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [
            pool.submit(execute_notebook, f / "01_where.ipynb", f / "out.ipynb", {}, cwd=f, paths={}) for f in folders
        ]
        for future in futures:
            future.result()
    assert os.getcwd() == before
    for folder in folders:
        cells = nbformat.read(folder / "out.ipynb", as_version=4).cells
        assert Path(cells[0].outputs[0].text.strip()).resolve() == folder.resolve()
        assert cells[1].outputs[0].text.strip() == ("ipc" if os.name == "posix" else "tcp")
