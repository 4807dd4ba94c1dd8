"""Shared fixtures: the project's folders, corrupted copies of data/, and one offline reproduction."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
SUPPORT = Path(__file__).parent / "support"
#: The paper's cohort's table files, named once for the tests that corrupt or check them by file.
T1, T2, T2S, T3, T4, T4AE, T5, FACTS = COHORT_FILES = (
    "table1_baseline.csv",
    "table2_treatments.csv",
    "table2_treatment_status.csv",
    "table3_week4.csv",
    "table4_medium_term.csv",
    "table4_adverse_effects.csv",
    "table5_trough.csv",
    "text_patient_facts.csv",
)
#: The extracted paper text lives beside the project (../shared/paper/), not inside it.
PAPER_TEXT = Path(
    os.environ.get("TACROLIMUS_PAPER_TEXT", ROOT.parent / "shared" / "paper" / "ng-arebi-kamm-2007-ibd.txt")
)


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


def run_synthetic_tool(*args: str) -> tuple[int, str]:
    """tools/make_synthetic_cohort.py with these arguments, in this process: (exit status, stderr)."""
    import contextlib
    import importlib.util
    import io

    spec = importlib.util.spec_from_file_location("make_synthetic_cohort", ROOT / "tools" / "make_synthetic_cohort.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = module.main(list(args))
    return status, err.getvalue()


def copy_project(target: Path, notebooks: list[str] | None = None) -> Path:
    """A copy of data/ and of the committed notebooks (all, or the names given) in target."""
    shutil.copytree(DATA_DIR, target / "data")
    (target / "notebooks").mkdir(parents=True)
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if notebooks is None or nb.name in notebooks:
            shutil.copy(nb, target / "notebooks" / nb.name)
    return target


def netns_available() -> bool:
    """Whether this machine lets us run a command in a new network namespace (loopback only)."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True)
    return probe.returncode == 0


@dataclass(frozen=True)
class Reproduction:
    """The outcome of the test session's one `python -m tacrolimus_ibd reproduce`, run offline."""

    project: Path
    returncode: int
    stderr: str
    isolated: bool  # ran inside a network namespace with loopback only
    network_log: Path  # what the audit hook logged: attempts to reach the network (none expected)

    @property
    def outputs(self) -> Path:
        assert self.returncode == 0, f"the shared reproduction failed:\n{self.stderr[-3000:]}"
        return self.project / "outputs"


@contextlib.contextmanager
def _exclusive(lock: Path, *, timeout: float = 1800):
    """Hold ``lock`` (a folder: creating one is atomic on every platform) while the block runs.

    The lock lives in this session's temporary folder, so a crashed session leaves nothing that a
    later one could wait on; within a session, waiting ends with an error after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            lock.mkdir()
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{lock} still held after {timeout:.0f} s") from None
            time.sleep(0.2)
    try:
        yield
    finally:
        lock.rmdir()


def _run_offline_reproduction(root: Path) -> dict:
    project = copy_project(root / "project")
    log = root / "network.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SUPPORT), os.environ.get("PYTHONPATH")])),
        "TACROLIMUS_NETWORK_LOG": str(log),
    }
    command = [sys.executable, "-m", "tacrolimus_ibd", "reproduce", "--project-dir", str(project), "--no-progress"]
    isolated = netns_available()
    if isolated:
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    return {
        "project": str(project),
        "returncode": result.returncode,
        "stderr": result.stderr,
        "isolated": isolated,
        "network_log": str(log),
    }


@pytest.fixture(scope="session")
def reproduction(tmp_path_factory) -> Reproduction:
    """One full reproduction of a copy of the project, with the network unreachable, shared by
    every test (and every xdist worker) that checks a run's outputs, so the suite pays for it once.

    It runs inside a new network namespace when the machine allows it, and every Python process
    of the run (the controller and each kernel) carries an audit hook (tests/support/
    sitecustomize.py) that logs and blocks any connection or lookup of a host other than loopback.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the folder all workers share
    root = shared / "shared-reproduction"
    with _exclusive(shared / "shared-reproduction.lock"):
        record = root / "reproduction.json"
        if not record.exists():
            root.mkdir(exist_ok=True)
            record.write_text(json.dumps(_run_offline_reproduction(root)))
        saved = json.loads(record.read_text())
    return Reproduction(
        project=Path(saved["project"]),
        returncode=saved["returncode"],
        stderr=saved["stderr"],
        isolated=saved["isolated"],
        network_log=Path(saved["network_log"]),
    )


#: Fixtures that run the whole machinery: a test using one belongs to the end-to-end tier.
END_TO_END_FIXTURES = {"reproduction", "centre", "batch_run", "browser"}


def pytest_collection_modifyitems(config, items):
    """Keep `make test` honest: a test that runs the whole machinery must be marked e2e, so
    the quick tier never pays for a full run by accident and the e2e tier never misses one."""
    unmarked = [
        item.nodeid
        for item in items
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("e2e")
    ]
    if unmarked:
        raise pytest.UsageError(
            "tests using an end-to-end fixture must be marked @pytest.mark.e2e: " + ", ".join(unmarked)
        )


def pytest_configure(config):
    """nbval's kernels talk over Unix sockets, and are forked from a preloaded kernel server, as the
    pipeline's are (pipeline.notebook._kernel_manager_class, pipeline.preload).

    nbval starts each notebook's kernel over TCP, and kernels started at once by the xdist workers
    race for ports: jupyter_client picks a free port and closes it before the kernel binds it, so
    another kernel may take it and the first never answers (seen once: "Kernel didn't respond in
    60 seconds" on notebook 06 in a fresh clone). Unix sockets need no port.
    """
    if os.name != "posix":
        return
    try:
        import nbval.kernel
    except ImportError:  # nbval not installed: nothing to configure
        return
    import atexit
    import tempfile
    import uuid

    from tacrolimus_ibd.pipeline import preload
    from tacrolimus_ibd.pipeline.provisioner import OnDemandProvisioner

    base = nbval.kernel.KernelManager

    class UnixSocketKernelManager(base):
        def __init__(self, **kwargs):
            sockets = tempfile.mkdtemp(prefix="tibd-nbval-")
            atexit.register(shutil.rmtree, sockets, ignore_errors=True)
            # One kernel per folder; a short name, as a socket path is limited to about 100 bytes.
            super().__init__(transport="ipc", ip=os.path.join(sockets, "k"), **kwargs)

        async def _async_pre_start_kernel(self, **kw):
            # Forked from a server that has imported the notebooks' modules, as a reproduce's
            # kernels are (pipeline.preload): started in this worker at its first notebook.
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = OnDemandProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

    if base.__name__ != "UnixSocketKernelManager":
        nbval.kernel.KernelManager = UnixSocketKernelManager
        preload.on_demand(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
