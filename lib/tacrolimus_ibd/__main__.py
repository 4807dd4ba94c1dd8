"""Command line: ``python -m tacrolimus_ibd {validate,reproduce,site,batch,refresh-notebooks}``.

Errors are reported as plain messages (``file:row:column: what``), never as tracebacks. Exit
statuses of ``reproduce`` and ``batch``: 0 done; 1 a notebook failed (published outputs unchanged);
2 refused before anything ran (data, parameters, batch file, output folder); 3 another run is
writing the output folder; 130 or 143 stopped by SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

DEFAULT_CELL_TIMEOUT = 600  # pipeline.DEFAULT_CELL_TIMEOUT, without importing papermill for --help

EXIT_OK, EXIT_FAILED, EXIT_INVALID_DATA, EXIT_BUSY = 0, 1, 2, 3


#: Problems printed before the rest are only counted.
MAX_PRINTED = 100


def _print_problems(problems) -> None:
    for problem in problems[:MAX_PRINTED]:
        print(problem, file=sys.stderr)
    if len(problems) > MAX_PRINTED:
        print(
            f"... and {len(problems) - MAX_PRINTED} more problem(s) not shown (fix these and validate again)",
            file=sys.stderr,
        )
    print(f"{len(problems)} problem(s) found; nothing was run or written.", file=sys.stderr)


def _unexpected(what: str, err: Exception) -> int:
    """A failure no check foresaw: one plain line naming it, never a traceback."""
    print(
        f"error: {what} failed unexpectedly ({type(err).__name__}: {err}); please report this with the command you ran",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _engine_errors(run):
    """Run ``run()``; turn the engine's refusals and interrupts into one message and an exit status."""
    from . import engine, pipeline
    from .data import DataValidationError

    try:
        return run()
    except (DataValidationError, engine.PlanError) as err:
        _print_problems(err.problems)
        return EXIT_INVALID_DATA
    except engine.OutputBusy as err:
        print(f"busy: {err}", file=sys.stderr)
        return EXIT_BUSY
    except engine.Interrupted as err:
        kept = f"; runs published before it are kept: {', '.join(err.published)}" if err.published else ""
        print(
            f"interrupted by {signal.Signals(err.signum).name}: kernels stopped, staging removed, published outputs left as they were{kept}",
            file=sys.stderr,
        )
        return err.exit_status
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as err:
        print(f"error: {pipeline.disk_error(err, Path('.'))}", file=sys.stderr)
        return EXIT_FAILED


def _parameter_value(text: str):
    """A -p value as YAML reads it: 8 is an int, 8.5 a float, true a bool, anything else text."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (str, int, float, bool, type(None))) else text


def cmd_validate(args: argparse.Namespace) -> int:
    from .data import validate_data_dir

    try:
        problems = validate_data_dir(args.data_dir)
    except Exception as err:  # noqa: BLE001 (the command promises a message, not a traceback)
        return _unexpected(f"validating {args.data_dir}", err)
    if problems:
        _print_problems(problems)
        return EXIT_INVALID_DATA
    print(f"{args.data_dir}: valid")
    return EXIT_OK


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .pipeline import reproduce
    from .report import site_step

    # The HTML report is built inside the staging folder: covered by the manifest, published
    # only when every notebook succeeded.
    steps = () if args.no_site else (site_step((args.project_dir / args.data_dir).resolve()),)
    parameters = {name: _parameter_value(value) for name, value in args.parameter}

    def run():
        result = reproduce(
            project_dir=args.project_dir,
            data_dir=args.data_dir,
            output_dir=args.output_dir,
            notebooks_dir=args.notebooks_dir,
            parameters=parameters,
            jobs=args.jobs,
            progress=not args.no_progress,
            extra_steps=steps,
            cell_timeout=args.cell_timeout,
            fresh_kernels=args.fresh_kernels,
        )
        if not result.completed:
            print(f"reproduce FAILED: {result.failure or result.error}", file=sys.stderr)
            if result.failed_dir is not None:
                print(
                    f"{args.output_dir} was left as it was; the failed notebooks and the run's manifest are in {result.failed_dir}",
                    file=sys.stderr,
                )
            else:
                print(f"{args.output_dir} was left as it was.", file=sys.stderr)
            return EXIT_FAILED
        print(f"reproduced {len(result.notebooks)} notebooks into {args.output_dir}/ in {result.seconds:.1f} s")
        if not args.no_site:
            print(f"report: {args.output_dir}/site/index.html")
        return EXIT_OK

    return _engine_errors(run)


def _site_input_problems(output_dir: Path, data_dir: Path | None) -> list[str]:
    """Why the report of ``output_dir`` cannot be built, before anything is written."""
    import nbformat

    from .data import DataValidationError, read_package

    notebooks_dir = output_dir / "notebooks"
    if not output_dir.exists():
        return [
            f"{output_dir}: not found: run `python -m tacrolimus_ibd reproduce` first, or name a run's output folder"
        ]
    if not output_dir.is_dir():
        return [f"{output_dir}: is a file, not a run's output folder"]
    if not notebooks_dir.is_dir():
        return [
            f"{notebooks_dir} not found: run `python -m tacrolimus_ibd reproduce` first, or name a run's output folder"
        ]
    problems = []
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        problems.append(
            f"{notebooks_dir}: holds no executed notebooks (NN_name.ipynb): the run did not complete; run reproduce again"
        )
    for path in notebooks:
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except OSError as err:
            problems.append(f"{path}: cannot be read ({(err.strerror or str(err)).lower()})")
        except Exception as err:  # noqa: BLE001 (nbformat raises several kinds for a broken file)
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            problems.append(
                f"{path}: not a complete notebook ({first[:200]}): it was cut short or edited; run reproduce again"
            )
    if data_dir is not None:
        if not data_dir.is_dir():
            problems.append(f"{data_dir}: --data-dir is not a data folder")
        else:
            try:
                read_package(data_dir)
            except DataValidationError as err:
                problems += [str(p) for p in err.problems]
    return problems


def cmd_site(args: argparse.Namespace) -> int:
    """Rebuild the HTML report of an existing run's outputs.

    The inputs are checked first (exit 2, nothing written); the report is built beside the old
    one and swapped in only when complete, so a failure leaves the previous report as it was."""
    import os
    import shutil

    from .report import SITE_DIR, build_site
    from .validation import printable

    output_dir, data_dir = args.output_dir, args.data_dir
    problems = _site_input_problems(output_dir, data_dir)
    if problems:
        for problem in problems:
            print(printable(f"error: {problem}"), file=sys.stderr)
        print(f"{len(problems)} problem(s) found; no report was written.", file=sys.stderr)
        return EXIT_INVALID_DATA
    site = output_dir / SITE_DIR
    staging, retired = output_dir / f".{SITE_DIR}.partial-{os.getpid()}", output_dir / f".{SITE_DIR}.old-{os.getpid()}"
    try:
        build_site(output_dir, data_dir=data_dir, site_dir=staging)
        if site.exists():
            os.replace(site, retired)
        os.replace(staging, site)
    except OSError as err:
        print(
            f"error: the report could not be written in {output_dir} ({(err.strerror or str(err)).lower()}"
            f"{f': {err.filename}' if err.filename else ''}); the previous report, if any, is unchanged",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except Exception as err:  # noqa: BLE001 (the command promises a message, not a traceback)
        return _unexpected(f"building the report of {output_dir}", err)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and site.exists():
            shutil.rmtree(retired, ignore_errors=True)
        elif retired.exists():
            with contextlib.suppress(OSError):
                os.replace(retired, site)  # the new report could not be swapped in: keep the old one
    print(f"report: {site}/index.html")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    """Run the notebooks once per parameter set of a batch file and compare their key results."""
    from .batch import run_batch

    def run():
        result = run_batch(
            args.batch_file,
            project_dir=args.project_dir,
            output_dir=args.output_dir,
            notebooks_dir=args.notebooks_dir,
            jobs=args.jobs,
            progress=not args.no_progress,
            site=args.site,
            cell_timeout=args.cell_timeout,
            fresh_kernels=args.fresh_kernels,
        )
        for run in result.runs:
            state = "ok" if run.completed else f"FAILED: {run.failures[0] if run.failures else run.error}"
            print(f"{run.name}: {state}", file=sys.stdout if run.completed else sys.stderr)
        print(
            f"{len(result.runs)} runs in {result.seconds:.1f} s; key results compared in {args.output_dir}/summary.csv"
        )
        return EXIT_OK if result.completed else EXIT_FAILED

    return _engine_errors(run)


def cmd_refresh(args: argparse.Namespace) -> int:
    """Re-execute the committed notebooks, and rewrite them only if every one succeeded."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .pipeline import KERNEL_NAME, discover_notebooks, kernel_environment, plain, strip_volatile_metadata

    kernel_environment()
    chosen = [
        p for p in discover_notebooks(args.notebooks_dir) if not args.only or p.stem in args.only or p.name in args.only
    ]
    executed, failures = {}, []
    for path in chosen:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(path.parent)}}, timeout=args.cell_timeout
        )
        index = None
        try:
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
        except CellExecutionError as err:
            failures.append(f"{path}: cell {index + 1} raised {plain(str(err).strip().splitlines()[-1])}")
            continue
        except Exception as err:  # a kernel that died, a cell over its time limit
            where = f"cell {index + 1}" if index is not None else "before any cell ran"
            failures.append(
                f"{path}: {where}: {type(err).__name__}: {plain(str(err).strip().splitlines()[-1] if str(err).strip() else '')}"
            )
            continue
        executed[path] = strip_volatile_metadata(nb)
        print(f"executed {path}", file=sys.stderr)
    if failures:
        for failure in failures:
            print(failure, file=sys.stderr)
        print(f"{len(failures)} notebook(s) failed; no notebook was rewritten.", file=sys.stderr)
        return EXIT_FAILED
    for path, nb in executed.items():
        nbformat.write(nb, path)
        print(f"refreshed {path}")
    return EXIT_OK


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _add_run_options(p: argparse.ArgumentParser, *, output_dir: Path, jobs_over: str) -> None:
    """The options reproduce and batch share (one engine runs both)."""
    p.add_argument("--project-dir", default=".", type=Path, help="the compendium's folder (default: .)")
    p.add_argument(
        "--output-dir",
        default=output_dir,
        type=Path,
        help=f"where the outputs are published (default: {output_dir.as_posix()}); it must be empty, absent or hold a previous run's outputs",
    )
    p.add_argument("--notebooks-dir", default="notebooks", type=Path, help="the notebooks to run (default: notebooks)")
    p.add_argument("--jobs", type=int, default=None, help=f"notebooks run at once{jobs_over} (default: cores + 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--cell-timeout",
        type=_seconds,
        default=DEFAULT_CELL_TIMEOUT,
        metavar="SECONDS",
        help=f"fail a cell that runs longer than this (default {DEFAULT_CELL_TIMEOUT})",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start every kernel as a new Python process (default: fork it from one that has imported the notebooks' modules)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tacrolimus_ibd",
        description="Compendium of Ng, Arebi & Kamm (Inflamm Bowel Dis 2007): validate data, run the notebooks, build the report.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a data folder against its data dictionary")
    p.add_argument("data_dir", nargs="?", default="data", type=Path)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("reproduce", help="validate data/, run every notebook, write outputs/")
    p.add_argument(
        "--data-dir", default="data", type=Path, help="the cohort's data folder (default: data, the paper's)"
    )
    _add_run_options(p, output_dir=Path("outputs"), jobs_over="")
    p.add_argument("--no-site", action="store_true", help="do not build the HTML report (outputs/site/)")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter (checked against its declared type before anything runs)",
    )
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("site", help="rebuild the HTML report (OUTPUT_DIR/site/) from an existing run")
    p.add_argument("output_dir", nargs="?", default=Path("outputs"), type=Path)
    p.add_argument(
        "--data-dir", default=None, type=Path, help="the run's data folder (default: as the notebooks record)"
    )
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("batch", help="run the notebooks once per parameter set of a YAML file; compare key results")
    p.add_argument("batch_file", type=Path, help="YAML: runs: {name: {parameter: value, data_dir: folder}}")
    _add_run_options(p, output_dir=Path("outputs") / "batch", jobs_over=", over all runs")
    p.add_argument("--site", action="store_true", help="also build each run's HTML report")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place")
    p.add_argument("--notebooks-dir", default="notebooks", type=Path)
    p.add_argument("--cell-timeout", type=_seconds, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS")
    p.add_argument("only", nargs="*", help="notebook names to refresh (default: all)")
    p.set_defaults(func=cmd_refresh)
    return parser


class _Terminated(BaseException):
    """SIGTERM outside a run's execution (the engine handles it there)."""


def _raise_terminated(signum, frame):
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted by SIGINT", file=sys.stderr)
        return 128 + signal.SIGINT
    except _Terminated:
        print("interrupted by SIGTERM", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
