"""Confidence intervals and tests, from statsmodels and scipy with their methods named.

Small samples are the rule here (groups of 1 to 12 patients), so exact methods come first and
every function says which method it used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

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


def proportion_table(
    counts: pd.DataFrame, *, events: str = "events", total: str = "total", alpha: float = 0.05
) -> pd.DataFrame:
    """Add the proportion and its Clopper-Pearson and Wilson intervals to a table of counts.

    A row with no patients (``total`` 0: a group the cohort lacks) has no proportion: it and
    its intervals are NaN, not an error."""
    out = counts.copy()
    empty = out[total].eq(0)
    out["proportion"] = (out[events] / out[total].where(~empty)).astype(float)
    nan = (float("nan"), float("nan"))
    for name in CI_METHODS:
        bounds = [
            nan if t == 0 else proportion_ci(e, t, method=name, alpha=alpha)
            for e, t in zip(out[events], out[total], strict=True)
        ]
        out[f"{name}_low"] = [b[0] for b in bounds]
        out[f"{name}_high"] = [b[1] for b in bounds]
    return out


def percent(events, total) -> float:
    """100 * events / total, unrounded."""
    return float(100 * np.asarray(events, dtype=float) / np.asarray(total, dtype=float))


# --- paired tests when only the signs of the differences are known ---------------------------


#: Above this n, the exact Wilcoxon p-value of all-positive differences is written in closed
#: form instead of scipy's exact distribution (whose cost grows as n cubed: a cohort of 10,000
#: would take hours). Below it scipy computes it, as before.
WILCOXON_EXACT_SCIPY_LIMIT = 50


def _all_positive_exact(n: int, alternative: str):
    """Exact Wilcoxon signed-rank test when all n differences are positive and distinct.

    Of the 2**n equally likely sign patterns under the null, one alone gives T+ = n(n+1)/2, so
    P(T+ >= n(n+1)/2) = 2**-n and the two-sided p-value is min(1, 2 * 2**-n) (Hollander, Wolfe
    & Chicken, 3rd ed., ch. 3). Statistic as scipy reports it: T+ (greater) or min(T+, T-) = 0.
    """
    from types import SimpleNamespace

    one_sided = math.ldexp(1.0, -n)
    if alternative == "greater":
        return SimpleNamespace(statistic=n * (n + 1) / 2, pvalue=one_sided)
    if alternative == "two-sided":
        return SimpleNamespace(statistic=0.0, pvalue=min(1.0, 2 * one_sided))
    return SimpleNamespace(statistic=n * (n + 1) / 2, pvalue=1.0)  # "less": every pattern has T+ <= the maximum


#: The columns of :func:`all_positive_paired_tests`.
PAIRED_TEST_COLUMNS = ["test", "method", "settings", "n", "alternative", "statistic", "statistic_name", "z", "p_value"]


def all_positive_paired_tests(n_values, *, alternatives=("two-sided", "greater")) -> pd.DataFrame:
    """P-values of paired tests when all n paired differences are positive, distinct and non-zero.

    Then the Wilcoxon signed-rank statistics are T- = 0 and T+ = n(n+1)/2 whatever the sizes
    of the differences (Wilcoxon, Biometrics Bulletin 1945; Hollander, Wolfe & Chicken,
    Nonparametric Statistical Methods, 3rd ed., ch. 3), and the sign test counts n of n
    positive signs (Dixon & Mood, JASA 1946), so every p-value depends on n alone. The
    differences passed to scipy are therefore the ranks 1..n: they stand for any such set and
    are not data. With ties among the differences the exact null distribution and the normal
    approximation's variance would change; the paper gives no values to say.

    Rows, for each n and alternative ("greater": differences tend to be positive):

    * Wilcoxon signed-rank, ``scipy.stats.wilcoxon(method="exact")``; above
      ``WILCOXON_EXACT_SCIPY_LIMIT`` the same exact p-value in closed form (``settings`` says so);
    * Wilcoxon signed-rank, normal approximation (``method="asymptotic"`` in scipy 1.16; older
      releases called it "approx"), without and with the continuity correction;
    * sign test, exact binomial (``scipy.stats.binomtest``, p = 0.5).

    Columns: test, method, settings, n, alternative, statistic, statistic_name, z, p_value
    (no rows when ``n_values`` is empty).
    """
    from scipy import stats

    rows = []
    for n in n_values:
        n = int(n)
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        differences = np.arange(1, n + 1, dtype=float)
        for alternative in alternatives:
            name = "T = min(T+, T-)" if alternative == "two-sided" else "T+"
            for method, correction, label in [
                ("exact", False, "exact null distribution"),
                ("asymptotic", False, "normal approximation, no continuity correction"),
                ("asymptotic", True, "normal approximation, continuity correction"),
            ]:
                settings = f'wilcoxon(method="{method}", correction={correction})'
                if method == "exact" and n > WILCOXON_EXACT_SCIPY_LIMIT:
                    result = _all_positive_exact(n, alternative)
                    settings = f"closed form, P(T+ = n(n+1)/2) = 2**-n (scipy's exact method above n={WILCOXON_EXACT_SCIPY_LIMIT} is too slow)"
                else:
                    result = stats.wilcoxon(
                        differences, zero_method="wilcox", correction=correction, alternative=alternative, method=method
                    )
                rows.append(
                    {
                        "test": "Wilcoxon signed-rank",
                        "method": label,
                        "settings": settings,
                        "n": n,
                        "alternative": alternative,
                        "statistic": float(result.statistic),
                        "statistic_name": name,
                        "z": float(getattr(result, "zstatistic", np.nan)),
                        "p_value": float(result.pvalue),
                    }
                )
            result = stats.binomtest(n, n, p=0.5, alternative=alternative)
            rows.append(
                {
                    "test": "sign test",
                    "method": "exact binomial",
                    "settings": "binomtest(k=n, n=n, p=0.5)",
                    "n": n,
                    "alternative": alternative,
                    "statistic": float(n),
                    "statistic_name": "positive signs",
                    "z": np.nan,
                    "p_value": float(result.pvalue),
                }
            )
    return pd.DataFrame(rows, columns=PAIRED_TEST_COLUMNS)


#: Largest n for which :func:`wilcoxon_change` asks scipy for the exact null distribution.
WILCOXON_EXACT_UP_TO = 50


def wilcoxon_change(before, after) -> dict:
    """Wilcoxon signed-rank test of paired values (Wilcoxon, Biometrics Bulletin 1945), two-sided.

    ``scipy.stats.wilcoxon(before, after, zero_method="wilcox")``: pairs with no change are left
    out; the exact null distribution up to ``WILCOXON_EXACT_UP_TO`` pairs with a change, the normal
    approximation with the continuity correction above. Returns ``n`` (pairs with a change),
    ``statistic``, ``p_value`` and ``method``; with no change at all, no test (P is NaN).
    """
    from scipy import stats

    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    n = int(np.count_nonzero(after - before))
    if n == 0:
        return {"n": 0, "statistic": np.nan, "p_value": np.nan, "method": "no test: no patient changed"}
    method = "exact" if n <= WILCOXON_EXACT_UP_TO else "asymptotic"
    result = stats.wilcoxon(before, after, zero_method="wilcox", correction=method == "asymptotic", method=method)
    label = "exact null distribution" if method == "exact" else "normal approximation, continuity correction"
    return {"n": n, "statistic": float(result.statistic), "p_value": float(result.pvalue), "method": label}


def smallest_exact_signed_rank_p(n: int) -> float:
    """The smallest two-sided P the exact Wilcoxon signed-rank test can give with ``n`` pairs (no
    ties, no zeros): every difference of one sign, the most extreme of the 2**n equally likely sign
    patterns at each end (Wilcoxon, Biometrics Bulletin 1945), so 2 / 2**n. With few pairs a large,
    uniform effect cannot give a small P: 0.0625 with 5 pairs."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    return min(1.0, 2.0 / 2**n)


def decimals_of(value: float) -> int:
    """Number of decimals in the shortest printed form of ``value`` (0.002 -> 3, 0.05 -> 2)."""
    from decimal import Decimal

    return max(0, -Decimal(repr(float(value))).normalize().as_tuple().exponent)


def rounds_to(values, reported: float, *, decimals: int | None = None) -> np.ndarray:
    """Whether each value prints as ``reported`` by the one agreement rule (``claims.agreement``:
    half-up or truncation at the decimals ``reported`` is printed with, or ``decimals``)."""
    from .claims.agreement import agreement  # the one rule; imported here, as claims imports this module

    digits = decimals_of(reported) if decimals is None else decimals
    return np.array(
        [agreement(float(v), float(reported), decimals=digits).agrees for v in np.asarray(values, dtype=float)],
        dtype=bool,
    )


# --- time to event ---------------------------------------------------------------------------


def kaplan_meier(time, event):
    """Kaplan-Meier estimate (Kaplan & Meier, JASA 1958) by statsmodels' ``SurvfuncRight``.

    ``event`` is 1 where the event was observed and 0 where the time is censored.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    return SurvfuncRight(np.asarray(time, dtype=float), np.asarray(event, dtype=float))


class _Fields:
    """Read-only mapping access to a result's fields (``result["estimate"]``, ``**result``), as
    for the plain dicts these results replace."""

    def keys(self):
        return [f.name for f in fields(self)]

    def __getitem__(self, key):
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)


@dataclass(frozen=True)
class SurvivalQuantile(_Fields):
    """A quantile ``p`` of a Kaplan-Meier curve, its ``1 - alpha`` interval and whether it is reached."""

    estimate: float
    ci_low: float
    ci_high: float
    reached: bool
    p: float = 0.5
    alpha: float = 0.05

    def summary_frame(self) -> pd.DataFrame:
        """One row: p, estimate, ci_low, ci_high, reached, alpha."""
        return pd.DataFrame(
            [
                {
                    "p": self.p,
                    "estimate": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "reached": self.reached,
                    "alpha": self.alpha,
                }
            ]
        )


def survival_quantile(survfunc, *, p: float = 0.5, alpha: float = 0.05, method: str = "cloglog") -> SurvivalQuantile:
    """A quantile of a Kaplan-Meier curve (p = 0.5: the median) with its (1 - alpha) interval.

    The estimate is statsmodels' (as SAS PROC LIFETEST): the first time at which the curve
    falls strictly below 1 - p.

    The interval inverts the pointwise test on the complementary log-log scale (Brookmeyer &
    Crowley, Biometrics 1982; statsmodels ``quantile_ci``). A quantile the curve never reaches
    is NaN and ``reached`` is False; an interval bound that is never reached is NaN too.
    Returns a ``SurvivalQuantile`` (attributes, ``summary_frame()``, and ``result["estimate"]``).
    """
    estimate = float(survfunc.quantile(p))
    # statsmodels takes log(-log(S)) of every step; a curve that reaches S = 0 gives log(0),
    # which it handles as -inf, so its RuntimeWarning is noise here.
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = (float(v) for v in survfunc.quantile_ci(p, alpha=alpha, method=method))
    finite = lambda v: v if np.isfinite(v) else np.nan  # noqa: E731 - statsmodels uses inf for "not reached"
    return SurvivalQuantile(
        estimate=estimate,
        ci_low=finite(low),
        ci_high=finite(high),
        reached=bool(np.isfinite(estimate)),
        p=p,
        alpha=alpha,
    )


def survival_table(survfunc) -> pd.DataFrame:
    """The Kaplan-Meier steps: time, at risk, events, survival probability and its standard error."""
    return pd.DataFrame(
        {
            "time": survfunc.surv_times,
            "at_risk": survfunc.n_risk,
            "events": survfunc.n_events,
            "survival": survfunc.surv_prob,
            "std_error": survfunc.surv_prob_se,
        }
    )


def describe(values) -> dict:
    """n, median, mean, minimum and maximum of the non-missing values."""
    series = pd.Series(values, dtype=float).dropna()
    return {
        "n": int(series.size),
        "median": float(series.median()),
        "mean": float(series.mean()),
        "min": float(series.min()),
        "max": float(series.max()),
    }


# --- a 2x2 table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fisher2x2(_Fields):
    """Fisher's exact test of a 2x2 table: the four cells, the sample odds ratio, the p-value, n."""

    exposed_with_outcome: int
    exposed_without_outcome: int
    unexposed_with_outcome: int
    unexposed_without_outcome: int
    odds_ratio: float
    p_value: float
    n: int

    def summary_frame(self) -> pd.DataFrame:
        """The table as a frame: rows exposed / unexposed, columns with / without the outcome."""
        return pd.DataFrame(
            [
                [self.exposed_with_outcome, self.exposed_without_outcome],
                [self.unexposed_with_outcome, self.unexposed_without_outcome],
            ],
            index=pd.Index(["exposed", "unexposed"], name="exposure"),
            columns=["with_outcome", "without_outcome"],
        )


def fisher_2x2(exposure: pd.Series, outcome: pd.Series) -> Fisher2x2:
    """Fisher's exact test of a 2x2 table of two boolean series (same index).

    The table is ``[[exposed & outcome, exposed & not outcome], [unexposed & outcome,
    unexposed & neither]]``; rows with either value missing are dropped. Returns a
    ``Fisher2x2``: the four cells, the sample odds ratio and the p-value of
    scipy.stats.fisher_exact (two-sided; Fisher, J R Stat Soc 1922). ``**result`` gives the
    fields as a mapping, in this order, as the plain dict it replaces did.
    """
    from scipy import stats

    frame = pd.DataFrame({"exposure": exposure, "outcome": outcome}).dropna().astype(bool)
    e, o = frame["exposure"], frame["outcome"]
    table = np.array([[(e & o).sum(), (e & ~o).sum()], [(~e & o).sum(), (~e & ~o).sum()]], dtype=int)
    # method=None: scipy's exact conditional (hypergeometric) p-value of a 2x2 table, at any n.
    test = stats.fisher_exact(table, alternative="two-sided", method=None)
    return Fisher2x2(
        exposed_with_outcome=int(table[0, 0]),
        exposed_without_outcome=int(table[0, 1]),
        unexposed_with_outcome=int(table[1, 0]),
        unexposed_without_outcome=int(table[1, 1]),
        odds_ratio=float(test.statistic),
        p_value=float(test.pvalue),
        n=int(table.sum()),
    )
