"""Command line: ``python -m tacrolimus_ibd {validate,reproduce,site,batch,refresh-notebooks}``.

Errors are reported as plain messages (``file:row:column: what``), never as tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INVALID_DATA = 0, 1, 2


#: Problems printed before the rest are only counted.
MAX_PRINTED = 100


def _print_problems(problems) -> None:
    for problem in problems[:MAX_PRINTED]:
        print(problem, file=sys.stderr)
    if len(problems) > MAX_PRINTED:
        print(f"... and {len(problems) - MAX_PRINTED} more problem(s) not shown (fix these and validate again)", file=sys.stderr)
    print(f"{len(problems)} problem(s) found; nothing was run or written.", file=sys.stderr)


def _unexpected(what: str, err: Exception) -> int:
    """A failure no check foresaw: one plain line naming it, never a traceback."""
    print(f"error: {what} failed unexpectedly ({type(err).__name__}: {err}); please report this with the command you ran", file=sys.stderr)
    return EXIT_FAILED


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
    from .data import DataValidationError
    from .pipeline import reproduce
    from .report import site_step

    # The HTML report is built inside the staging folder: covered by the manifest, published
    # only when every notebook succeeded.
    steps = () if args.no_site else (site_step((args.project_dir / args.data_dir).resolve()),)
    try:
        result = reproduce(
            project_dir=args.project_dir,
            data_dir=args.data_dir,
            output_dir=args.output_dir,
            notebooks_dir=args.notebooks_dir,
            jobs=args.jobs,
            progress=not args.no_progress,
            extra_steps=steps,
        )
    except DataValidationError as err:
        _print_problems(err.problems)
        return EXIT_INVALID_DATA
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    if not result.completed:
        print(f"reproduce FAILED: {result.failure}", file=sys.stderr)
        print(f"{args.output_dir}/manifest.json records the run as incomplete.", file=sys.stderr)
        return EXIT_FAILED
    print(f"reproduced {len(result.notebooks)} notebooks into {args.output_dir}/ in {result.seconds:.1f} s")
    if not args.no_site:
        print(f"report: {args.output_dir}/site/index.html")
    return EXIT_OK


def _site_input_problems(output_dir: Path, data_dir: Path | None) -> list[str]:
    """Why the report of ``output_dir`` cannot be built, before anything is written."""
    import nbformat

    from .data import DataValidationError, read_package

    notebooks_dir = output_dir / "notebooks"
    if not output_dir.exists():
        return [f"{output_dir}: not found: run `python -m tacrolimus_ibd reproduce` first, or name a run's output folder"]
    if not output_dir.is_dir():
        return [f"{output_dir}: is a file, not a run's output folder"]
    if not notebooks_dir.is_dir():
        return [f"{notebooks_dir} not found: run `python -m tacrolimus_ibd reproduce` first, or name a run's output folder"]
    problems = []
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        problems.append(f"{notebooks_dir}: holds no executed notebooks (NN_name.ipynb): the run did not complete; run reproduce again")
    for path in notebooks:
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except OSError as err:
            problems.append(f"{path}: cannot be read ({(err.strerror or str(err)).lower()})")
        except Exception as err:  # noqa: BLE001 (nbformat raises several kinds for a broken file)
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            problems.append(f"{path}: not a complete notebook ({first[:200]}): it was cut short or edited; run reproduce again")
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
        print(f"error: the report could not be written in {output_dir} ({(err.strerror or str(err)).lower()}"
              f"{f': {err.filename}' if err.filename else ''}); the previous report, if any, is unchanged", file=sys.stderr)
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
    from .batch import BatchError, run_batch

    try:
        result = run_batch(
            args.batch_file,
            project_dir=args.project_dir,
            output_dir=args.output_dir,
            notebooks_dir=args.notebooks_dir,
            jobs=args.jobs,
            progress=not args.no_progress,
            site=args.site,
        )
    except BatchError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{len(err.problems)} problem(s) found; nothing was run or written.", file=sys.stderr)
        return EXIT_INVALID_DATA
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    for run in result.runs:
        state = "ok" if run.completed else f"FAILED: {run.failures[0]}"
        print(f"{run.name}: {state}", file=sys.stdout if run.completed else sys.stderr)
    print(f"{len(result.runs)} runs in {result.seconds:.1f} s; key results compared in {args.output_dir}/summary.csv")
    return EXIT_OK if result.completed else EXIT_FAILED


def cmd_refresh(args: argparse.Namespace) -> int:
    """Re-execute the committed notebooks in place, so their stored outputs match the code."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .pipeline import KERNEL_NAME, _kernel_environment, discover_notebooks, strip_volatile_metadata

    _kernel_environment()
    for path in discover_notebooks(args.notebooks_dir):
        if args.only and path.stem not in args.only and path.name not in args.only:
            continue
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(path.parent)}}, timeout=600)
        try:
            client.execute()
        except CellExecutionError as err:
            print(f"{path}: {str(err).strip().splitlines()[-1]}", file=sys.stderr)
            return EXIT_FAILED
        nbformat.write(strip_volatile_metadata(nb), path)
        print(f"refreshed {path}")
    return EXIT_OK


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
    p.add_argument("--project-dir", default=".", type=Path)
    p.add_argument("--data-dir", default="data", type=Path)
    p.add_argument("--output-dir", default="outputs", type=Path)
    p.add_argument("--notebooks-dir", default="notebooks", type=Path)
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores + 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-site", action="store_true", help="do not build the HTML report (outputs/site/)")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("site", help="rebuild the HTML report (OUTPUT_DIR/site/) from an existing run")
    p.add_argument("output_dir", nargs="?", default=Path("outputs"), type=Path)
    p.add_argument("--data-dir", default=None, type=Path, help="the run's data folder (default: as the notebooks record)")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("batch", help="run the notebooks once per parameter set of a YAML file; compare key results")
    p.add_argument("batch_file", type=Path, help="YAML: runs: {name: {parameter: value, data_dir: folder}}")
    p.add_argument("--project-dir", default=".", type=Path)
    p.add_argument("--output-dir", default=Path("outputs") / "batch", type=Path)
    p.add_argument("--notebooks-dir", default="notebooks", type=Path)
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once, over all runs (default: cores + 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--site", action="store_true", help="also build each run's HTML report")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place")
    p.add_argument("--notebooks-dir", default="notebooks", type=Path)
    p.add_argument("only", nargs="*", help="notebook names to refresh (default: all)")
    p.set_defaults(func=cmd_refresh)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
