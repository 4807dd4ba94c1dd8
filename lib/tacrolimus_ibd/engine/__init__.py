"""The run engine behind ``reproduce`` and ``batch``: plan, execute, publish.

A reproduce is a batch of one run. For every run the engine

1. **plans** before anything is written: the data folder is valid, every parameter is declared
   by a notebook and has the declared type, and the output folder may be written: it is absent,
   empty, or holds a previous run's outputs (recognised by its ``manifest.json``, and holding no
   file that manifest does not list), and it is not, does not contain and does not lie inside
   the data folder, the notebooks, the home folder or the project (whose own ``outputs/`` is the
   one place inside the project a run may write);
2. **locks** the output folder (``.NAME.lock`` beside it, naming the process): a second run
   that would write the same folder, a folder inside it or around it, is refused at once
   (``OutputBusy``, exit status 3). A lock whose process is gone is taken over, and what its
   run left (staging folders, a half-finished swap) is cleaned up first;
3. **executes** the notebooks into a staging folder unique to the run (``.NAME.partial-XXXX``
   beside the output folder), run by run, in one pool of workers, with a per-cell time limit and a
   watch on every kernel (a kernel stopped for 5 s is killed, a dead one fails its notebook);
4. **publishes** a run whose notebooks all succeeded by swapping the staging folder in for the
   output folder (a tracked ``README.md`` and an inner ``batch/`` folder are carried over), and
   keeps a failed run apart in ``NAME.failed/`` (its failed notebooks and manifest), leaving the
   last complete outputs exactly as they were.

SIGINT (Ctrl-C) and SIGTERM kill every kernel, remove the staging folders of unpublished runs and
raise ``Interrupted`` (exit status 130 or 143); published outputs are not touched.

Modules: ``runs`` (what a run is asked and what came of it, the errors), ``folders`` (which folders
may be written, and removing only what runs wrote), ``lock`` (one run per output folder),
``planning`` and ``execute`` (running the notebooks, the signals, publishing).
"""

from __future__ import annotations

from .execute import execute_plan, publish_folder
from .folders import (
    clean_leftovers,
    foreign_files,
    protection_problem,
    publish_problem,
    remove_own_files,
    space_problem,
)
from .lock import OutputLock, lock_path
from .planning import Plan, batch_root_problem, plan
from .runs import BATCH_FILES, MIN_FREE_BYTES, Interrupted, OutputBusy, PlanError, RunOutcome, RunSpec, failed_dir

__all__ = [
    "BATCH_FILES",
    "Interrupted",
    "MIN_FREE_BYTES",
    "OutputBusy",
    "OutputLock",
    "Plan",
    "PlanError",
    "RunOutcome",
    "RunSpec",
    "batch_root_problem",
    "clean_leftovers",
    "execute_plan",
    "failed_dir",
    "foreign_files",
    "lock_path",
    "plan",
    "protection_problem",
    "publish_folder",
    "publish_problem",
    "remove_own_files",
    "space_problem",
]
