#!/usr/bin/env python3
"""Does a full `reproduce` grow gently with the cohort? (issue #13 item 5)

Times `python -m tacrolimus_ibd reproduce --data-dir DIR --output-dir OUT` on the paper's 19
patients (data/) and, in the same run, on SYNTHETIC cohorts of 10,000 and 100,000 patients
(tools/make_synthetic_cohort.py, seed 2007), each a fresh output folder, one after another.
Peak memory is the largest resident set of any process of the run (the engine or a notebook
kernel: resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, read in a wrapper process per run).
Goals: 10,000 patients at most 3x the 19-patient time, 100,000 at most 10x.

    .venv/bin/python benchmarks/bench_scale.py                    # measure, print, exit 1 if a goal is missed
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000       # other sizes (no goal for them)
    .venv/bin/python benchmarks/bench_scale.py --update-readme    # write the figures into README.md

Results go to benchmarks/results/scale.json. The paper's data/ may already be known valid to
the environment's validation cache (its verdicts are remembered by content); the synthetic
folders are new, so their runs include a full validation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tacrolimus_ibd.readme import rewrite_block

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
TOOL = ROOT / "tools" / "make_synthetic_cohort.py"
GOALS = {10_000: 3.0, 100_000: 10.0}
README_START, README_END = "<!-- scale-benchmark:start -->", "<!-- scale-benchmark:end -->"


def _child(argv: list[str]) -> int:
    """Run one reproduce and print its wall time and the peak RSS of its processes (JSON)."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "returncode": done.returncode,
                "stderr": done.stderr[-2000:],
            }
        )
    )
    return 0


def time_reproduce(data_dir: Path, output_dir: Path) -> dict:
    argv = [
        sys.executable,
        "-m",
        "tacrolimus_ibd",
        "reproduce",
        "--data-dir",
        str(data_dir),
        "--output-dir",
        str(output_dir),
        "--no-progress",
    ]
    wrapper = subprocess.run(
        [sys.executable, __file__, "--child", "--", *argv], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(wrapper.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise SystemExit(f"reproduce on {data_dir} failed:\n{result['stderr']}")
    return {"seconds": round(result["seconds"], 1), "peak_mib": round(result["peak_mib"])}


def readme_block(r: dict) -> str:
    base = r["runs"][0]
    lines = [
        f"Measured on {r['machine']} ({r['cores']} cores), Python {r['python']}, one run each, by `benchmarks/bench_scale.py`:",
        "",
        "| cohort | patients | generate (s) | reproduce (s) | / paper's | peak memory (MiB) | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in r["runs"]:
        goal = GOALS.get(run["patients"]) if run["cohort"] != "paper" else None
        verdict = "" if goal is None else f"at most {goal:g}x: {'met' if run['ratio'] <= goal else 'missed'}"
        generate = "" if run.get("generate_seconds") is None else f"{run['generate_seconds']:.1f}"
        lines.append(
            f"| {run['cohort']} | {run['patients']:,} | {generate} | {run['seconds']:.1f} | {run['ratio']:.2f} | {run['peak_mib']:,} | {verdict} |"
        )
    lines += [
        "",
        f"The paper's run took {base['seconds']:.1f} s. Rerun with `.venv/bin/python benchmarks/bench_scale.py --update-readme`.",
    ]
    return "\n".join(lines)


def update_readme(result: dict) -> None:
    rewrite_block(ROOT / "README.md", README_START, README_END, readme_block(result))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=sorted(GOALS), help="synthetic cohort sizes (default 10000 100000)"
    )
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        tmp = Path(tmp)
        print("reproduce on the paper's 19 patients ...", flush=True)
        runs.append(
            {
                "cohort": "paper",
                "patients": 19,
                "generate_seconds": None,
                **time_reproduce(ROOT / "data", tmp / "out_paper"),
            }
        )
        for n in args.sizes:
            folder = tmp / f"synthetic_{n}"
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(TOOL), str(folder), "--patients", str(n), "--seed", "2007"],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            generate = round(time.perf_counter() - start, 1)
            print(f"reproduce on {n:,} synthetic patients ...", flush=True)
            runs.append(
                {
                    "cohort": "synthetic",
                    "patients": n,
                    "generate_seconds": generate,
                    **time_reproduce(folder, tmp / f"out_{n}"),
                }
            )
    for run in runs:
        run["ratio"] = round(run["seconds"] / runs[0]["seconds"], 2)
    result = {
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "goals": {str(k): v for k, v in GOALS.items()},
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(readme_block(result))
    if args.update_readme:
        update_readme(result)
    met = all(run["ratio"] <= GOALS[run["patients"]] for run in runs[1:] if run["patients"] in GOALS)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
