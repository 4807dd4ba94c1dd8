"""Run safety (issue #14): what a run may write, two runs at once, interrupts, stalled kernels,
parameters checked before anything runs. Quick checks run in this process; the ones that need
kernels and signals run `python -m tacrolimus_ibd` as real processes (the e2e tier)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from tacrolimus_ibd import engine, pipeline
from tacrolimus_ibd.__main__ import main

from .conftest import ROOT, copy_project
from .test_pipeline import _small_notebook


def _project(tmp_path: Path, cells: dict[str, list[str]] | None = None) -> Path:
    """A project with data/ and small notebooks (name -> cells after the parameters cell)."""
    project = copy_project(tmp_path / "project", [])
    for name, body in (cells or {"01_quick.ipynb": ["x = 1"]}).items():
        nbformat.write(_small_notebook(body), project / "notebooks" / name)
    return project


def _cli(*args: str) -> SimpleNamespace:
    """`python -m tacrolimus_ibd ARGS` in this process: exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return SimpleNamespace(returncode=status, stdout=out.getvalue(), stderr=err.getvalue())


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- never delete what the tool did not write (quick: refused before any kernel starts) ---------


@pytest.mark.parametrize(
    "where",
    ["foreign", "file", "project", "data", "notebooks", "home", "inside_data", "inside_project", "contains_project"],
)
def test_output_folders_that_are_not_the_tools_are_refused(tmp_path, where):
    project = _project(tmp_path)
    foreign = tmp_path / "papers"
    foreign.mkdir()
    (foreign / "manuscript.docx").write_text("a year of work")
    (tmp_path / "a_file").write_text("not a folder")
    target = {
        "foreign": foreign,
        "file": tmp_path / "a_file",
        "project": project,
        "data": project / "data",
        "notebooks": project / "notebooks",
        "home": Path.home(),
        "inside_data": project / "data" / "out",
        "inside_project": project / "results",
        "contains_project": tmp_path,
    }[where]
    before = _tree(tmp_path)
    result = _cli("reproduce", "--project-dir", str(project), "--output-dir", str(target), "--no-progress", "--no-site")
    assert result.returncode == 2, result.stderr
    assert "output folder refused" in result.stderr and "nothing was run or written" in result.stderr
    assert "Traceback" not in result.stderr
    if where == "file":
        assert "exists and is not a folder" in result.stderr
    assert _tree(tmp_path) == before
    assert not (project / "outputs").exists() and not list(project.glob(".*"))


def test_a_previous_runs_folder_with_a_file_added_by_hand_is_refused(tmp_path):
    outputs = tmp_path / "outputs"
    (outputs / "tables").mkdir(parents=True)
    (outputs / "tables" / "t.csv").write_text("a")
    (outputs / "manifest.json").write_text(json.dumps({"outputs": {"tables/t.csv": "x"}}))
    (outputs / "README.md").write_text("kept: carried over")
    assert engine.publish_problem(outputs) is None
    (outputs / "tables" / "my_edit.csv").write_text("mine")
    assert "tables/my_edit.csv" in engine.publish_problem(outputs)
    (outputs / "manifest.json").unlink()
    assert "holds no run manifest" in engine.publish_problem(outputs)


@pytest.mark.parametrize(
    "text, output_dir, message",
    [
        ("runs:\n  data: {}\n", ".", "the project folder"),
        ("runs:\n  notebooks: {}\n", ".", "the project folder"),
        ("runs:\n  summary.csv: {}\n", "outputs/batch", "taken by the batch folder's own files"),
        ("runs:\n  a.failed: {}\n", "outputs/batch", "taken by the batch folder's own files"),
        ("runs:\n  a: {}\n  b: {}\n  a: {alpha: 0.1}\n", "outputs/batch", "duplicate key 'a'"),
        ("runs:\n  a: {alpha: 0.1, alpha: 0.2}\n", "outputs/batch", "duplicate key 'alpha'"),
        ("runs:\n  a: {}\n", "data", "is the data folder"),
    ],
)
def test_batch_runs_that_would_not_be_fresh_folders_are_refused(tmp_path, text, output_dir, message):
    project = _project(tmp_path)
    (project / "batch.yaml").write_text(text)
    before = _tree(project)
    result = _cli(
        "batch", str(project / "batch.yaml"), "--project-dir", str(project), "--output-dir", output_dir, "--no-progress"
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert _tree(project) == before and not (project / "outputs").exists()


def test_a_binary_batch_file_is_explained(tmp_path):
    project = _project(tmp_path)
    (project / "batch.yaml").write_bytes(b"\xff\xfe\x00runs")
    result = _cli("batch", str(project / "batch.yaml"), "--project-dir", str(project), "--no-progress")
    assert result.returncode == 2 and "not a UTF-8 text file" in result.stderr


# --- parameters checked before anything runs --------------------------------------------------


def test_declared_types_are_read_from_the_committed_notebooks():
    declared = pipeline.declared_parameters(pipeline.discover_notebooks(ROOT / "notebooks"))
    for nb, params in declared.items():
        for param in params.values():
            assert pipeline.parameters._accepted_types(param.type_name) is not None, f"{nb}: {param.name} has no type"  # noqa: SLF001
    assert declared["05_trough_levels.ipynb"]["target_low_ng_ml"].type_name == "float"
    assert declared["04_medium_term_outcomes.ipynb"]["denominator"].allowed_values == (
        "intention_to_treat",
        "per_protocol",
    )


@pytest.mark.parametrize(
    "type_name, help, value, ok",
    [
        ("float", "", 8, True),
        ("float", "", 8.5, True),
        ("float", "", "abc", False),
        ("float", "", True, False),
        ("int", "", 3, True),
        ("int", "", 3.0, False),
        ("bool", "", False, True),
        ("bool", "", "false", False),
        ("str", "(one of: dl, pm)", "pm", True),
        ("str", "(one of: dl, pm)", "PM", False),
        ("Optional[str]", "", None, True),
        ("Optional[str]", "", "x", True),
        ("Optional[str]", "", 1, False),
        ("list", "", [1, 2], True),
        ("None", "", 1, False),
    ],
)
def test_a_value_is_checked_against_the_declared_type(type_name, help, value, ok):
    assert (pipeline.Parameter("p", type_name, help).problem(value) is None) == ok


def test_mistyped_parameters_are_refused_in_reproduce_and_batch(tmp_path):
    project = copy_project(tmp_path / "project")  # the committed notebooks
    result = _cli(
        "reproduce",
        "--project-dir",
        str(project),
        "--no-progress",
        "-p",
        "target_low_ng_ml",
        "abc",
        "-p",
        "denominator",
        "per_protocl",
        "-p",
        "alpah",
        "0.1",
        "-p",
        "data_dir",
        "elsewhere",
        "-p",
        "output_dir",
        "x",
    )
    assert result.returncode == 2
    assert (
        "reproduce: parameter 'target_low_ng_ml' (05_trough_levels.ipynb): expected float, got 'abc' (str)"
        in result.stderr
    )
    assert (
        "parameter 'denominator' (04_medium_term_outcomes.ipynb): expected one of intention_to_treat, per_protocol, got 'per_protocl'"
        in result.stderr
    )
    assert "parameter 'alpah' is declared by no notebook" in result.stderr
    assert "parameter 'data_dir' is given as the data folder" in result.stderr
    assert "parameter 'output_dir' is set by the run itself" in result.stderr
    (project / "batch.yaml").write_text(
        'runs:\n  ok: {target_low_ng_ml: 8}\n  bad:\n    target_low_ng_ml: "abc"\n    include_inferred_outcomes: "no"\n'
    )
    result = _cli("batch", str(project / "batch.yaml"), "--project-dir", str(project), "--no-progress")
    assert result.returncode == 2
    assert (
        "run 'bad': parameter 'target_low_ng_ml' (05_trough_levels.ipynb): expected float, got 'abc' (str)"
        in result.stderr
    )
    assert (
        "run 'bad': parameter 'include_inferred_outcomes' (04_medium_term_outcomes.ipynb): expected bool, got 'no' (str)"
        in result.stderr
    )
    assert "run 'ok'" not in result.stderr  # an int is accepted for a float
    assert not (project / "outputs").exists() and not list(project.glob(".*"))


def test_provenance_names_untracked_and_modified_files_that_ran(tmp_path):
    project = _project(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    ran = [project / "notebooks", project / "data"]
    clean = pipeline.provenance(project, ran=ran)
    assert clean["git_dirty"] is False and clean["dirty_files"] == []
    nbformat.write(_small_notebook(["y = 2"]), project / "notebooks" / "09_untracked.ipynb")
    with open(project / "data" / "paper" / "claims.csv", "a") as handle:
        handle.write("\n")
    dirty = pipeline.provenance(project, ran=ran)
    assert dirty["git_dirty"] is True
    assert dirty["dirty_files"] == ["data/paper/claims.csv", "notebooks/09_untracked.ipynb"]


# --- locks ------------------------------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_lock_refuses_at_once_and_a_dead_ones_is_taken_over(tmp_path):
    outputs = tmp_path / "outputs"
    lock = engine.lock_path(outputs)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        lock.write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(), "started": "then"}))
        with pytest.raises(engine.OutputBusy, match=f"pid {sleeper.pid}"):
            engine.OutputLock(outputs).acquire()
        # A live lock on a folder inside (a batch writing outputs/batch) also refuses outputs/.
        lock.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname()}))
        outputs.mkdir()
        engine.lock_path(outputs / "batch").write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname()}))
        with pytest.raises(engine.OutputBusy):
            engine.OutputLock(outputs).acquire()
        assert not lock.exists() or json.loads(lock.read_text())["pid"] != os.getpid()
        engine.lock_path(outputs / "batch").unlink()
        with engine.OutputLock(outputs):  # the dead process's lock is taken over
            assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert not lock.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_busy_or_refused_run_starts_no_kernel_server(tmp_path, monkeypatch):
    """The kernel server (seconds of imports) starts only once the run holds its output folder."""
    import socket

    project = _project(tmp_path, {"01_a.ipynb": ["x = 1"], "02_b.ipynb": ["y = 2"]})
    started = []
    monkeypatch.setattr(pipeline.preload, "start", lambda notebooks: started.append(notebooks))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = engine.lock_path(project / "outputs")
        lock.write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(), "started": "then"}))
        busy = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
        assert busy.returncode == 3 and "being written by another run" in busy.stderr
        lock.unlink()
    finally:
        sleeper.kill()
        sleeper.wait()
    (project / "outputs").mkdir()
    (project / "outputs" / "manuscript.docx").write_text("a user's file")
    refused = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert refused.returncode == 2 and "output folder refused" in refused.stderr
    assert started == []


def test_a_manifest_never_leads_a_deletion_outside_its_folder(tmp_path):
    folder = tmp_path / "outputs"
    folder.mkdir()
    (tmp_path / "precious.txt").write_text("keep")
    (folder / "a.csv").write_text("ours")
    (folder / "manifest.json").write_text(
        json.dumps({"outputs": {"a.csv": "x", "../precious.txt": "x", "/etc/hostname": "x"}})
    )
    assert engine.remove_own_files(folder) == []
    assert not folder.exists() and (tmp_path / "precious.txt").read_text() == "keep"


def test_what_a_killed_run_left_is_cleaned_and_a_half_swap_undone(tmp_path):
    outputs = tmp_path / "outputs"
    (tmp_path / ".outputs.partial-abc" / "notebooks").mkdir(parents=True)
    old = tmp_path / ".outputs.old-xyz"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"outputs": {}}))
    engine.clean_leftovers(outputs)
    assert _entries(tmp_path) == ["outputs"] and (outputs / "manifest.json").exists()


def test_refresh_notebooks_rewrites_nothing_unless_all_succeed(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(_small_notebook(["print('\\x1b[31mred\\x1b[0m')"]), folder / "01_ok.ipynb")
    nbformat.write(_small_notebook(["x = 1", "raise ValueError('\\x1b[31mboom\\x1b[0m')"]), folder / "02_fails.ipynb")
    before = _tree(folder)
    result = _cli("refresh-notebooks", "--notebooks-dir", str(folder))
    assert result.returncode == 1
    assert "02_fails.ipynb: cell 3 raised ValueError: boom" in result.stderr
    assert "\x1b[" not in result.stderr and "no notebook was rewritten" in result.stderr
    assert _tree(folder) == before


# --- real processes: two runs, signals, stalled and dead kernels (e2e) ------------------------


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_process_left():
    """Whatever a test started is gone when it ends, even when the test failed."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def _start(project: Path, *args: str, command: str = "reproduce") -> subprocess.Popen:
    """`python -m tacrolimus_ibd COMMAND ...` as a process of its own group (as from a terminal)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tacrolimus_ibd", command, *args, "--project-dir", str(project), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, _MARK: str(project)},
    )
    _STARTED.append(process)
    return process


#: Set in the environment of each run a test starts, inherited by every process of it: its kernels
#: run in sessions of their own (as jupyter_client starts them, or forked from the kernel server),
#: so the run's process group does not find them.
_MARK = "TACROLIMUS_TEST_RUN"


def _processes_of(project: Path) -> list[str]:
    """Processes (pid and command line) still running with the mark of a run on ``project``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            if f"{_MARK}={project}".encode() in environ:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name} {command}")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _wait_for(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s{': ' + what if what else ''}")
        time.sleep(0.1)


def _group_processes(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,pgid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if int(line.split()[1]) == pgid and "ps -eo" not in line]


#: A notebook that signals it runs (a file beside the project) and then waits a minute.
SLOW = ["import pathlib, time\npathlib.Path('../../running').write_text('yes')\ntime.sleep(60)"]


@pytest.mark.e2e
def test_two_runs_at_once_lose_nothing(tmp_path):
    # The first run's notebook waits until the test lets it finish, after the second has tried.
    release = tmp_path / "release"
    project = _project(
        tmp_path,
        {
            "01_waits.ipynb": [
                f"import pathlib, time\nfor _ in range(1200):\n    if pathlib.Path({str(release)!r}).exists():\n        break\n    time.sleep(0.05)"
            ]
        },
    )
    first = _start(project, "--no-site")
    _wait_for(lambda: engine.lock_path(project / "outputs").exists())
    second = _start(project, "--no-site")
    out2, err2 = second.communicate(timeout=120)
    release.write_text("go")
    assert second.returncode == 3, err2
    assert "busy:" in err2 and "being written by another run" in err2 and "Traceback" not in err2
    assert len(err2.strip().splitlines()) == 1
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    manifest = json.loads((project / "outputs" / "manifest.json").read_text())
    assert manifest["completed"] is True
    assert _entries(project) == ["data", "notebooks", "outputs"]


@pytest.mark.e2e
@pytest.mark.parametrize("sig, status, to_group", [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)])
def test_a_signal_stops_the_run_and_leaves_the_outputs_as_they_were(tmp_path, sig, status, to_group):
    project = _project(tmp_path)
    assert _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site").returncode == 0
    before = _tree(project / "outputs")
    nbformat.write(_small_notebook(SLOW), project / "notebooks" / "02_slow.ipynb")
    run = _start(project, "--no-site")
    _wait_for(lambda: (tmp_path / "running").exists())
    sent = time.monotonic()
    if to_group:
        os.killpg(run.pid, sig)  # Ctrl-C in a terminal: the whole process group
    else:
        run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert time.monotonic() - sent < 15
    assert run.returncode == status, err
    assert f"interrupted by {sig.name}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _tree(project / "outputs") == before
    assert _entries(project) == ["data", "notebooks", "outputs"], "staging, lock or failure left behind"

    # Killed kernels vanish within moments; a loaded machine may take longer than a fixed pause.
    def no_kernel_left():
        return _group_processes(run.pid) == [] and _processes_of(project) == []

    _wait_for(no_kernel_left, timeout=5, what="a kernel outlived the run")


#: A notebook whose report pages take long to render (a table of many rows, shown as HTML).
SLOW_TO_RENDER = [
    "from IPython.display import HTML\nHTML('<table>' + '<tr><td>1</td><td>2</td></tr>' * 20000 + '</table>')"
]


@pytest.mark.e2e
def test_ctrl_c_stops_the_run_while_it_builds_the_report(tmp_path):
    # The report's pages are rendered in the engine's main thread once a notebook has run: a
    # signal there must stop it too (seen on 100,000 patients: Ctrl-C left it running for minutes).
    project = _project(tmp_path)
    assert _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site").returncode == 0
    before = _tree(project / "outputs")
    (project / "notebooks" / "01_quick.ipynb").unlink()
    nbformat.write(_small_notebook(SLOW_TO_RENDER), project / "notebooks" / "01_big.ipynb")
    run = _start(project)
    # The executed notebook lands in the staging folder when its kernel is done; rendering follows.
    _wait_for(lambda: list(project.glob(".outputs.partial-*/notebooks/01_big.ipynb")), timeout=120)
    time.sleep(1)
    assert run.poll() is None, "the report was built before the signal: the test proves nothing"
    sent = time.monotonic()
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert time.monotonic() - sent < 5, "the report step went on after Ctrl-C"
    assert run.returncode == 130, err
    assert "interrupted by SIGINT" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _tree(project / "outputs") == before
    assert _entries(project) == ["data", "notebooks", "outputs"], "staging, lock or failure left behind"


@pytest.mark.e2e
def test_after_sigkill_the_next_run_cleans_up(tmp_path):
    project = _project(tmp_path, {"01_slow.ipynb": SLOW})
    run = _start(project, "--no-site")
    _wait_for(lambda: (tmp_path / "running").exists())
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=30)
    assert engine.lock_path(project / "outputs").exists() and list(project.glob(".outputs.partial-*"))
    # Its kernel (forked from the kernel server, which sees its input end) goes with it.
    _wait_for(lambda: _processes_of(project) == [], timeout=10)
    (project / "notebooks" / "01_slow.ipynb").unlink()
    nbformat.write(_small_notebook(["x = 1"]), project / "notebooks" / "01_quick.ipynb")
    again = _start(project, "--no-site")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert _entries(project) == ["data", "notebooks", "outputs"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "cell, args, message",
    [
        (
            "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
            [],
            "the kernel was stopped (not running) for 5 s and was killed",
        ),
        ("import time\ntime.sleep(120)", ["--cell-timeout", "3"], "timed out: the cell ran longer than 3 s"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", [], "the kernel died (killed by SIGKILL)"),
    ],
    ids=["stopped", "timeout", "killed"],
)
def test_a_stalled_or_dead_kernel_is_a_clean_failure_naming_the_cell(tmp_path, cell, args, message):
    project = _project(tmp_path, {"01_ok.ipynb": ["x = 1"], "02_stalls.ipynb": ["y = 1", cell]})
    run = _start(project, "--no-site", *args)
    out, err = run.communicate(timeout=180)
    assert run.returncode == 1, err
    assert f"02_stalls.ipynb: cell 3 {message}" in err, err
    assert "before any cell ran" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2, err  # the failure, and where its notebook is kept
    assert (project / "outputs.failed" / "02_stalls.ipynb").exists()  # the notebook is kept
    assert not (project / "outputs").exists()
    assert _group_processes(run.pid) == [], "an orphaned kernel"
    assert _processes_of(project) == [], "an orphaned kernel"


@pytest.mark.e2e
def test_a_batch_publishes_run_by_run_and_sigterm_keeps_finished_runs(tmp_path):
    project = _project(
        tmp_path,
        {
            "01_waits.ipynb": [
                "import pathlib, time\nif pathlib.Path(data_dir).name == 'slow_data':\n"
                "    pathlib.Path('../../running').write_text('yes')\n    time.sleep(60)"
            ]
        },
    )
    import shutil

    shutil.copytree(project / "data", project / "slow_data")
    (project / "batch.yaml").write_text("runs:\n  first: {}\n  second:\n    data_dir: slow_data\n")
    run = _start(project, str(project / "batch.yaml"), "--jobs", "1", command="batch")
    _wait_for(lambda: (tmp_path / "running").exists())
    batch = project / "outputs" / "batch"
    _wait_for(lambda: (batch / "first" / "manifest.json").exists(), timeout=30)  # published while 'second' runs
    assert json.loads((batch / "first" / "manifest.json").read_text())["completed"] is True
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 143, err
    assert "runs published before it are kept: first" in err
    assert _entries(batch) == ["first"]
    assert not list((project / "outputs").glob(".*"))


# --- a full or read-only output location ------------------------------------------------------


def test_an_almost_full_location_is_refused_before_anything_runs(tmp_path, monkeypatch):
    import shutil

    project = _project(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=10, used=10, free=1024))
    result = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert result.returncode == 2
    assert "no space left on" in result.stderr and "Traceback" not in result.stderr
    assert _entries(project) == ["data", "notebooks"]


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root may write into a read-only folder"
)
def test_a_read_only_location_is_refused_before_anything_runs(tmp_path):
    project = _project(tmp_path)
    project.chmod(0o555)
    try:
        result = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    finally:
        project.chmod(0o755)
    assert result.returncode == 2 and "cannot write to" in result.stderr
    assert _entries(project) == ["data", "notebooks"]


def test_the_disk_error_message_names_device_and_file(tmp_path):
    import errno

    err = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.png"))
    assert (
        pipeline.disk_error(err, tmp_path)
        == f"no space left on {pipeline.mount_point(tmp_path)} while writing {tmp_path / 'x.png'}"
    )


@pytest.mark.e2e
def test_a_disk_that_fills_while_publishing_is_a_plain_failure_with_staging_cleaned(tmp_path, monkeypatch):
    import errno

    project = _project(tmp_path)

    def full(staging, output_dir):
        raise OSError(errno.ENOSPC, "No space left on device", str(output_dir / "manifest.json"))

    monkeypatch.setattr(engine.execute, "publish_folder", full)  # where execute_plan looks it up
    result = _cli("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert result.returncode == 1
    assert "no space left on" in result.stderr and "while writing" in result.stderr and "Traceback" not in result.stderr
    assert _entries(project) == ["data", "notebooks"]


# --- the refusals again, as real processes ----------------------------------------------------


def _process(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tacrolimus_ibd", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.e2e
@pytest.mark.parametrize("case", ["foreign_folder", "run_named_data", "mistyped_reproduce", "mistyped_batch"])
def test_refusals_as_real_processes(tmp_path, case):
    project = _project(tmp_path, {"01_typed.ipynb": ["x = 1"]})
    nb = _small_notebook(["x = 1"])
    nb.cells[0].source = 'data_dir = "../data"\noutput_dir = None\ntarget_low_ng_ml: float = 5.0  # low'
    nbformat.write(nb, project / "notebooks" / "01_typed.ipynb")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "manuscript.docx").write_text("a year of work")
    (project / "batch.yaml").write_text(
        {"run_named_data": "runs:\n  data: {}\n", "mistyped_batch": "runs:\n  x:\n    target_low_ng_ml: abc\n"}.get(
            case, "runs:\n  a: {}\n"
        )
    )
    args = {
        "foreign_folder": ["reproduce", "--output-dir", str(papers)],
        "run_named_data": ["batch", str(project / "batch.yaml"), "--output-dir", "."],
        "mistyped_reproduce": ["reproduce", "-p", "target_low_ng_ml", "abc"],
        "mistyped_batch": ["batch", str(project / "batch.yaml")],
    }[case]
    before = _tree(tmp_path)
    result = _process(*args, "--project-dir", str(project), "--no-progress")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "nothing was run or written" in result.stderr
    expected = {
        "foreign_folder": "holds no run manifest",
        "run_named_data": "is the project folder",
        "mistyped_reproduce": "reproduce: parameter 'target_low_ng_ml' (01_typed.ipynb): expected float, got 'abc' (str)",
        "mistyped_batch": "run 'x': parameter 'target_low_ng_ml' (01_typed.ipynb): expected float, got 'abc' (str)",
    }[case]
    assert expected in result.stderr
    assert _tree(tmp_path) == before


@pytest.mark.e2e
def test_a_stale_lock_is_taken_over_by_a_real_run(tmp_path):
    import socket

    project = _project(tmp_path)
    engine.lock_path(project / "outputs").write_text(
        json.dumps({"pid": _dead_pid(), "host": socket.gethostname(), "started": "long ago"})
    )
    (project / ".outputs.partial-dead").mkdir()  # what the killed run left
    result = _process("reproduce", "--project-dir", str(project), "--no-progress", "--no-site")
    assert result.returncode == 0, result.stderr
    assert _entries(project) == ["data", "notebooks", "outputs"]


def _mount_namespace_available() -> bool:
    import shutil

    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


def _on_small_disk(tmp_path: Path, project: Path, *, size: str, read_only: bool = False) -> subprocess.CompletedProcess:
    """Reproduce a copy of ``project`` on a tmpfs of ``size`` (read-only if asked), in a mount
    namespace of its own; the project's entries afterwards are printed after a marker line."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = (
        f"set -e; mount -t tmpfs -o size={size} tmpfs {mnt}; cp -r {project} {mnt}/project; "
        + (f"mount -o remount,ro {mnt}; " if read_only else "")
        + f"set +e; {sys.executable} -m tacrolimus_ibd reproduce --project-dir {mnt}/project --no-progress --no-site; status=$?; "
        + f"echo ENTRIES; ls -A {mnt}/project; exit $status"
    )
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300)


@pytest.mark.e2e
@pytest.mark.skipif(not _mount_namespace_available(), reason="this machine does not allow a private tmpfs (unshare -m)")
def test_a_disk_that_fills_during_the_run_is_a_plain_failure_with_nothing_left(tmp_path):
    project = _project(
        tmp_path,
        {
            "01_fills.ipynb": [
                "with open(f'{output_dir}/big.bin', 'wb') as handle:\n    for _ in range(100):\n        handle.write(b'0' * 1_000_000)"
            ]
        },
    )
    result = _on_small_disk(tmp_path, project, size="40m")
    assert result.returncode == 1, result.stderr
    assert "01_fills.ipynb: cell 2" in result.stderr and "no space left on " in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert result.stdout.split("ENTRIES")[-1].split() in (
        ["data", "notebooks"],
        ["data", "notebooks", "outputs.failed"],
    )


@pytest.mark.e2e
@pytest.mark.skipif(not _mount_namespace_available(), reason="this machine does not allow a private tmpfs (unshare -m)")
def test_a_read_only_disk_is_refused_before_anything_runs(tmp_path):
    result = _on_small_disk(tmp_path, _project(tmp_path), size="20m", read_only=True)
    assert result.returncode == 2, result.stderr
    assert "cannot write to" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.split("ENTRIES")[-1].split() == ["data", "notebooks"]
