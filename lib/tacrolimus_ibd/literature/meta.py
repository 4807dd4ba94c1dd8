"""Exact intervals and random-effects pooling of proportions on the logit scale (statsmodels' combine_effects)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from ..paper import LITERATURE_COLUMNS

#: Columns of literature.csv, in order, with the pandas dtype each is read as (``paper.read_literature``).
COLUMNS = LITERATURE_COLUMNS

#: Continuity correction added to events and non-events of a study with 0 or all events.
CONTINUITY_CORRECTION = 0.5

_METHODS = {"dl": "dl", "chi2": "dl", "pm": "pm", "iterated": "pm"}


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

    ``ci_low``/``ci_high`` is the primary interval, named by ``interval``: by default the
    Hartung-Knapp-Sidik-Jonkman interval (``"hksj"``: the random-effects estimate's variance
    rescaled by the weighted residual dispersion, never below 1, with a t distribution on
    ``k - 1`` degrees of freedom; Hartung & Knapp, Stat Med 2001; Sidik & Jonkman, Stat Med
    2002; Roever et al. 2015 for the floor), which keeps its coverage with a handful of studies. ``wald_ci_low``/``wald_ci_high`` is the normal (Wald)
    interval of the same estimate (DerSimonian-Laird or Paule-Mandel, as ``method``), shown
    beside it. ``tau2`` is the between-study variance on the logit scale; ``i2`` is I-squared
    as a fraction (0-1); ``q`` is Cochran's Q with ``k - 1`` degrees of freedom and
    ``q_pvalue`` its chi-squared p-value. ``continuity_corrected`` lists the studies that
    received the 0.5 continuity correction.
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
    wald_ci_low: float = float("nan")
    wald_ci_high: float = float("nan")
    interval: str = "hksj"

    def summary_frame(self, name: str = "pooled") -> pd.DataFrame:
        """One row named ``name`` (column ``estimate``): proportion, primary interval, Wald
        interval, tau², I², Q with its degrees of freedom and p-value, k, method, studies."""
        return pd.DataFrame(
            [
                {
                    "estimate": name,
                    "proportion": self.proportion,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "interval": self.interval,
                    "wald_ci_low": self.wald_ci_low,
                    "wald_ci_high": self.wald_ci_high,
                    "tau2": self.tau2,
                    "i2": self.i2,
                    "q": self.q,
                    "q_df": self.k - 1,
                    "q_pvalue": self.q_pvalue,
                    "k": self.k,
                    "method": self.method,
                    "studies": "; ".join(self.labels),
                    "continuity_corrected": "; ".join(self.continuity_corrected),
                }
            ]
        )


def pool_random_effects(
    events: Sequence[int],
    totals: Sequence[int],
    labels: Sequence[str],
    *,
    method: str = "dl",
    alpha: float = 0.05,
    interval: str = "hksj",
) -> PooledProportion:
    """Pool proportions ``events/totals`` of ``k >= 2`` studies with a random-effects model.

    Each study's proportion is logit-transformed, ``log(x / (n - x))``, with variance
    ``1/x + 1/(n - x)``. A study with 0 or all events (where the logit is infinite) gets a
    continuity correction of 0.5 added to its events and its non-events (``x + 0.5`` of
    ``n + 1``); other studies are used as they are. The logits are combined by
    ``statsmodels.stats.meta_analysis.combine_effects``: ``method="dl"`` is
    DerSimonian-Laird (``method_re="chi2"``), ``"pm"`` Paule-Mandel (``"iterated"``). A
    negative DerSimonian-Laird moment estimate of tau^2 is truncated to 0, which makes the
    random-effects estimate equal the fixed-effect one. The pooled logit and its ``1 - alpha``
    intervals are back-transformed with the inverse logit: the Hartung-Knapp-Sidik-Jonkman
    interval (statsmodels' ``sd_eff_w_re_hksj`` with a t quantile on ``k - 1`` degrees of
    freedom; its "random effect wls" row with ``use_t=True``) and the Wald interval beside it.
    ``interval`` ("hksj" or "wald") names the one reported as ``ci_low``/``ci_high``. I^2 is
    ``max(0, (Q - df) / Q)`` (0 when Q is 0).
    """
    if interval not in ("hksj", "wald"):
        raise ValueError(f"interval must be 'hksj' or 'wald', not {interval!r}")
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
    wald = (float(expit(mean - crit * sd)), float(expit(mean + crit * sd)))
    # HKSJ with the ad hoc correction of Roever, Knapp & Friede (BMC Med Res Methodol 2015;15:99):
    # the dispersion factor is at least 1, so the interval is never narrower than the t-based one
    # without rescaling (with identical studies the raw HKSJ interval would have zero width).
    sd_hksj = max(float(res.sd_eff_w_re_hksj) if tau2 > 0 else float(res.sd_eff_w_fe_hksj), sd)
    t_crit = stats.t.isf(alpha / 2, df)
    hksj = (float(expit(mean - t_crit * sd_hksj)), float(expit(mean + t_crit * sd_hksj)))
    primary = hksj if interval == "hksj" else wald
    i2 = 0.0 if q <= df else (q - df) / q
    return PooledProportion(
        proportion=float(expit(mean)),
        ci_low=primary[0],
        ci_high=primary[1],
        wald_ci_low=wald[0],
        wald_ci_high=wald[1],
        interval=interval,
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
