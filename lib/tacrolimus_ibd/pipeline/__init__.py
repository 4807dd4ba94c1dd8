"""Notebooks with papermill: parameters checked against their declared types, one notebook
executed with a per-cell time limit, kernels that can be stopped at once, and provenance.

``reproduce`` validates the data folder and checks the parameters and the output folder first
(nothing runs, nothing is written when any is wrong), then runs every notebooks/NN_*.ipynb through
the run engine (the ``engine`` package, shared with ``batch``): a run is staged in a folder of its own,
published over the output folder only when every notebook succeeded, and otherwise kept apart in
``OUTPUT.failed/`` while the last complete outputs stay exactly as they were.

Modules: ``common`` (names, failures, the notebooks to run), ``parameters`` (declared types and the
check of given values), ``notebook`` (executing one notebook, kernels), ``preload`` (kernels forked
from a server that has imported the notebooks' modules), ``kernel_server`` (that server's process),
``provisioner`` (jupyter_client provisioners that use it), ``provenance`` (hashes, git, the
manifest, the progress bar) and ``run`` (``reproduce``).
"""

from __future__ import annotations

from . import preload
from .common import (
    BATCH_DIR,
    DEFAULT_CELL_TIMEOUT,
    KERNEL_NAME,
    MANIFEST,
    NotebookFailure,
    RunResult,
    default_jobs,
    discover_notebooks,
    plain,
    relative_path,
)
from .notebook import (
    KERNELS,
    Kernels,
    NotebookInterrupted,
    disk_error,
    execute_notebook,
    kernel_environment,
    mount_point,
    strip_volatile_metadata,
)
from .parameters import RESERVED, Parameter, declared_parameters, parameter_problems
from .provenance import files_with_hashes, progress_bar, provenance, sha256, write_manifest
from .run import reproduce

__all__ = [
    "BATCH_DIR",
    "DEFAULT_CELL_TIMEOUT",
    "KERNELS",
    "KERNEL_NAME",
    "Kernels",
    "MANIFEST",
    "NotebookFailure",
    "NotebookInterrupted",
    "Parameter",
    "RESERVED",
    "RunResult",
    "declared_parameters",
    "default_jobs",
    "discover_notebooks",
    "disk_error",
    "execute_notebook",
    "files_with_hashes",
    "kernel_environment",
    "mount_point",
    "parameter_problems",
    "plain",
    "preload",
    "progress_bar",
    "provenance",
    "relative_path",
    "reproduce",
    "sha256",
    "strip_volatile_metadata",
    "write_manifest",
]
