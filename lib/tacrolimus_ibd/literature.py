"""Published studies discussed by Ng, Arebi & Kamm (2007), and simple pooling of their proportions.

``data/literature.csv`` holds one row per study arm and outcome: the published counts
(``events``/``total``) checked against each study's own abstract or paper, the study's own
percentage, what Ng et al. say of the study (``paper_account``) and where the two differ
(``disagreement``). Its data dictionary is the ``literature`` resource of
``data/datapackage.json``.

Functions here are small and pure:

* :func:`load_literature` reads and types the table and checks ``events <= total``;
* :func:`exact_intervals` adds Clopper-Pearson (exact binomial) confidence intervals;
* :func:`pool_random_effects` pools proportions on the logit scale with a random-effects
  model (statsmodels' ``combine_effects``) and back-transforms the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

LITERATURE_FILE = "literature.csv"

#: Columns of literature.csv, in order, with the pandas dtype each is read as.
COLUMNS: dict[str, str] = {
    "study_id": "string",
    "study": "string",
    "year": "Int64",
    "design": "string",
    "population": "string",
    "arm": "string",
    "n_randomized_or_treated": "Int64",
    "outcome": "string",
    "outcome_definition": "string",
    "time_point": "string",
    "events": "Int64",
    "total": "Int64",
    "proportion_reported": "float64",
    "citation": "string",
    "doi": "string",
    "pmid": "string",
    "figure_seen_in": "string",
    "paper_account": "string",
    "disagreement": "string",
    "pooled_estimate": "float64",
    "pooled_ci_low": "float64",
    "pooled_ci_high": "float64",
}

#: Continuity correction added to events and non-events of a study with 0 or all events.
CONTINUITY_CORRECTION = 0.5

_METHODS = {"dl": "dl", "chi2": "dl", "pm": "pm", "iterated": "pm"}


def _default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data"


def load_literature(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``literature.csv`` of ``data_dir`` (default: the compendium's data/ folder).

    Integer columns (``year``, ``n_randomized_or_treated``, ``events``, ``total``) are nullable
    ``Int64``; ``proportion_reported`` (percent) and the ``pooled_*`` columns (proportions) are
    ``float64``; the rest are pandas strings. Empty cells are missing (``<NA>``/``NaN``).

    Raises ``ValueError`` naming the file, the line (header = line 1) and the column when a
    column is missing, a count is not a whole number, or a row's ``events`` exceed its
    ``total``.
    """
    path = Path(data_dir) if data_dir is not None else _default_data_dir()
    path = path / LITERATURE_FILE
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame(index=raw.index)
    for column, dtype in COLUMNS.items():
        values = raw[column]
        if dtype == "string":
            frame[column] = values.astype("string")
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        for i in numbers.index[numbers.isna() & values.notna()]:
            raise ValueError(f"{path}: line {i + 2}: column {column}: {values[i]!r} is not a number")
        if dtype == "Int64":
            fractional = numbers.notna() & (numbers != np.floor(numbers))
            for i in numbers.index[fractional]:
                raise ValueError(f"{path}: line {i + 2}: column {column}: {values[i]!r} is not a whole number")
            frame[column] = numbers.astype("Int64")
        else:
            frame[column] = numbers.astype("float64")
    both = frame["events"].notna() & frame["total"].notna()
    for i in frame.index[both & (frame["events"] > frame["total"]).fillna(False)]:
        raise ValueError(
            f"{path}: line {i + 2}: column events: events {frame.at[i, 'events']} exceed total "
            f"{frame.at[i, 'total']} (study {frame.at[i, 'study_id']}, arm {frame.at[i, 'arm']})"
        )
    return frame


def exact_intervals(df: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """A copy of ``df`` with ``proportion``, ``ci_low`` and ``ci_high`` columns added.

    ``proportion`` is ``events / total``; the interval is the Clopper-Pearson (exact binomial)
    ``1 - alpha`` interval of statsmodels' ``proportion_confint(method="beta")``. Rows without
    both counts, or with ``total`` 0, get ``NaN``.
    """
    out = df.copy()
    events = pd.to_numeric(out["events"], errors="coerce").astype("float64")
    totals = pd.to_numeric(out["total"], errors="coerce").astype("float64")
    ok = events.notna() & totals.notna() & (totals > 0)
    out["proportion"] = np.nan
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    if ok.any():
        low, high = proportion_confint(events[ok].to_numpy(), totals[ok].to_numpy(), alpha=alpha, method="beta")
        out.loc[ok, "proportion"] = (events[ok] / totals[ok]).to_numpy()
        out.loc[ok, "ci_low"] = np.asarray(low, dtype=float)
        out.loc[ok, "ci_high"] = np.asarray(high, dtype=float)
    return out


@dataclass(frozen=True)
class PooledProportion:
    """Random-effects pooled proportion (back-transformed from the logit scale).

    ``tau2`` is the between-study variance on the logit scale; ``i2`` is I-squared as a
    fraction (0-1); ``q`` is Cochran's Q with ``k - 1`` degrees of freedom and ``q_pvalue``
    its chi-squared p-value. ``continuity_corrected`` lists the studies that received the
    0.5 continuity correction.
    """

    proportion: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    q_pvalue: float
    k: int
    method: str
    alpha: float
    labels: tuple[str, ...]
    continuity_corrected: tuple[str, ...]


def pool_random_effects(
    events: Sequence[int],
    totals: Sequence[int],
    labels: Sequence[str],
    method: str = "dl",
    alpha: float = 0.05,
) -> PooledProportion:
    """Pool proportions ``events/totals`` of ``k >= 2`` studies with a random-effects model.

    Each study's proportion is logit-transformed, ``log(x / (n - x))``, with variance
    ``1/x + 1/(n - x)``. A study with 0 or all events (where the logit is infinite) gets a
    continuity correction of 0.5 added to its events and its non-events (``x + 0.5`` of
    ``n + 1``); other studies are used as they are. The logits are combined by
    ``statsmodels.stats.meta_analysis.combine_effects``: ``method="dl"`` is
    DerSimonian-Laird (``method_re="chi2"``), ``"pm"`` Paule-Mandel (``"iterated"``). A
    negative DerSimonian-Laird moment estimate of tau^2 is truncated to 0, which makes the
    random-effects estimate equal the fixed-effect one. The pooled logit and its Wald
    ``1 - alpha`` interval are back-transformed with the inverse logit. I^2 is
    ``max(0, (Q - df) / Q)`` (0 when Q is 0).
    """
    x = np.asarray(events, dtype=float)
    n = np.asarray(totals, dtype=float)
    names = tuple(str(label) for label in labels)
    if not (x.ndim == n.ndim == 1 and len(x) == len(n) == len(names)):
        raise ValueError("events, totals and labels must be 1-d and of the same length")
    k = len(x)
    if k < 2:
        raise ValueError("pooling needs at least two studies")
    if np.any(np.isnan(x)) or np.any(np.isnan(n)):
        raise ValueError("events and totals must not be missing")
    if np.any(x != np.round(x)) or np.any(n != np.round(n)):
        raise ValueError("events and totals must be whole numbers")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        bad = [names[i] for i in range(k) if not (n[i] > 0 and 0 <= x[i] <= n[i])]
        raise ValueError(f"need 0 <= events <= totals and totals > 0; offending: {', '.join(bad)}")
    key = method.lower()
    if key not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, not {method!r}")
    method = _METHODS[key]

    extreme = (x == 0) | (x == n)
    xc = np.where(extreme, x + CONTINUITY_CORRECTION, x)
    nc = np.where(extreme, n + 2 * CONTINUITY_CORRECTION, n)
    effect = logit(xc / nc)
    variance = 1 / xc + 1 / (nc - xc)

    with np.errstate(divide="ignore", invalid="ignore"):  # Q = 0 makes statsmodels' own I^2 1/0
        res = combine_effects(effect, variance, method_re="chi2" if method == "dl" else "iterated", alpha=alpha)

    q = max(float(res.q), 0.0)
    df = k - 1
    tau2 = float(res.tau2)
    if tau2 > 0:
        mean, sd = float(res.mean_effect_re), float(res.sd_eff_w_re)
    else:  # no between-study variance: random effects reduce to the fixed-effect estimate
        tau2 = 0.0
        mean, sd = float(res.mean_effect_fe), float(res.sd_eff_w_fe)
    crit = stats.norm.isf(alpha / 2)
    i2 = 0.0 if q <= df else (q - df) / q
    return PooledProportion(
        proportion=float(expit(mean)),
        ci_low=float(expit(mean - crit * sd)),
        ci_high=float(expit(mean + crit * sd)),
        tau2=tau2,
        i2=i2,
        q=q,
        q_pvalue=float(stats.chi2.sf(q, df)),
        k=k,
        method=method,
        alpha=alpha,
        labels=names,
        continuity_corrected=tuple(names[i] for i in range(k) if extreme[i]),
    )
