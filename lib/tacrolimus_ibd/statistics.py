"""Confidence intervals and tests, from statsmodels and scipy with their methods named.

Small samples are the rule here (groups of 1 to 12 patients), so exact methods come first and
every function says which method it used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

#: statsmodels' names for the interval methods used in this compendium.
CI_METHODS = {"clopper_pearson": "beta", "wilson": "wilson"}


def proportion_ci(events, total, *, method: str = "clopper_pearson", alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided (1 - alpha) interval for events/total.

    ``method`` is "clopper_pearson" (exact; Clopper & Pearson, Biometrika 1934) or "wilson"
    (score interval; Wilson, JASA 1927), computed by statsmodels' ``proportion_confint``.
    """
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {sorted(CI_METHODS)}, not {method!r}")
    events, total = int(events), int(total)
    if total <= 0 or not 0 <= events <= total:
        raise ValueError(f"need 0 <= events <= total and total > 0, got {events}/{total}")
    low, high = proportion_confint(events, total, alpha=alpha, method=CI_METHODS[method])
    return float(low), float(high)


def proportion_table(counts: pd.DataFrame, *, events: str = "events", total: str = "total", alpha: float = 0.05) -> pd.DataFrame:
    """Add the proportion and its Clopper-Pearson and Wilson intervals to a table of counts."""
    out = counts.copy()
    out["proportion"] = out[events] / out[total]
    for name in CI_METHODS:
        bounds = [proportion_ci(e, t, method=name, alpha=alpha) for e, t in zip(out[events], out[total])]
        out[f"{name}_low"] = [b[0] for b in bounds]
        out[f"{name}_high"] = [b[1] for b in bounds]
    return out


def percent(events, total) -> float:
    """100 * events / total, unrounded."""
    return float(100 * np.asarray(events, dtype=float) / np.asarray(total, dtype=float))
