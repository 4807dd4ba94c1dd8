"""Benchmark: vectorised ``cdai()`` against a per-row Python loop.

Scores 1,000,000 synthetic patients (numpy Generator, fixed seed) with one vectorised call,
and times a per-row loop of scalar ``cdai()`` calls over the first 20,000 of the same rows,
scaled linearly to 1,000,000. Exits non-zero if the vectorised call takes >= 1 s, the
speed-up is < 100x, or the two disagree on the rows both scored.

Run: .venv/bin/python benchmarks/bench_cdai.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

try:
    from tacrolimus_ibd.scores import cdai
except ImportError:  # package not installed: use the checkout's lib/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
    from tacrolimus_ibd.scores import cdai

N_PATIENTS = 1_000_000
N_LOOP = 20_000
SEED = 20070101
VECTORISED_REPEATS = 3  # best of three, so one slow start-up does not decide the result
MAX_VECTORISED_SECONDS = 1.0
MIN_SPEEDUP = 100.0


def synthetic_patients(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Plausible, valid CDAI inputs (not a model of any real population)."""
    standard_weight = rng.uniform(50.0, 90.0, n)
    return {
        "liquid_stools_7d": rng.poisson(15, n),
        "abdominal_pain_7d": rng.integers(0, 22, n),
        "wellbeing_7d": rng.integers(0, 29, n),
        "complications": rng.binomial(6, 0.15, n),
        "antidiarrheal": rng.random(n) < 0.3,
        "abdominal_mass": rng.choice([0, 2, 5], n, p=[0.7, 0.2, 0.1]),
        "hematocrit_pct": np.clip(rng.normal(39.0, 5.0, n), 20.0, 60.0),
        "sex": rng.choice(np.array(["M", "F"]), n),
        "weight_kg": np.clip(standard_weight * rng.normal(0.93, 0.10, n), 30.0, 200.0),
        "standard_weight_kg": standard_weight,
    }


def main() -> int:
    patients = synthetic_patients(N_PATIENTS, np.random.default_rng(SEED))

    vectorised_seconds = np.inf
    for _ in range(VECTORISED_REPEATS):
        start = time.perf_counter()
        scores = cdai(**patients)
        vectorised_seconds = min(vectorised_seconds, time.perf_counter() - start)

    rows = [{name: values[i] for name, values in patients.items()} for i in range(N_LOOP)]
    start = time.perf_counter()
    loop_scores = np.array([cdai(**row) for row in rows])
    loop_seconds = time.perf_counter() - start
    loop_seconds_scaled = loop_seconds * N_PATIENTS / N_LOOP
    speedup = loop_seconds_scaled / vectorised_seconds
    agree = np.allclose(loop_scores, scores[:N_LOOP], rtol=0, atol=1e-9)

    print(f"patients: {N_PATIENTS:,} (seed {SEED}); mean CDAI {scores.mean():.1f}")
    print(f"vectorised cdai(): {vectorised_seconds:.3f} s (best of {VECTORISED_REPEATS})")
    print(
        f"per-row loop: {loop_seconds:.2f} s for {N_LOOP:,} rows, scaled linearly to "
        f"{N_PATIENTS:,} rows: {loop_seconds_scaled:.1f} s"
    )
    print(f"speed-up: {speedup:,.0f}x")
    print(f"loop and vectorised scores agree on the {N_LOOP:,} shared rows: {agree}")

    failures = []
    if vectorised_seconds >= MAX_VECTORISED_SECONDS:
        failures.append(f"vectorised call took >= {MAX_VECTORISED_SECONDS:g} s")
    if speedup < MIN_SPEEDUP:
        failures.append(f"speed-up below {MIN_SPEEDUP:g}x")
    if not agree:
        failures.append("loop and vectorised scores disagree")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
