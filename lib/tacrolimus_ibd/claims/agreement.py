"""The one agreement rule: does a computed value print as the reported one?

Every comparison of a reported with a computed value in this compendium goes through
:func:`agreement` (the ledger's checks, the notebooks, ``trough.reported_vs_computed`` and
``statistics.rounds_to``). It replaces three rules that disagreed at the edges (half-up
rounding, numpy's half-even rounding and a tolerance of 0.05).

The rule:

* **Printed precision.** A value printed with ``d`` decimals is the computed value brought to
  ``d`` decimals (a mean printed as 35 is reproduced by 35.3; 10.8 by 10.79; a P value printed
  as 0.002 by 0.00195). Altman & Bland, BMJ 1996;312:1654, on presenting numbers at the
  precision they are measured.
* **Two printing conventions**, tried in this order: rounding half up (the convention of the
  paper's own percentages: 14/19 = 73.68% is printed 74%) and truncation (13/18 = 72.22% and
  14/19 = 73.68% printed 72.2% and 73.6%). The result says which applied; half-even rounding
  never gives a value that neither of these gives, so it needs no rule of its own.
* **The step of a table.** A table that prints durations in quarter months, or whole weeks,
  has that step instead of decimals (``step=0.25``): 5 days = 0.164 months prints as 0.25.
  :func:`days_to_months` and :func:`weeks_to_months` convert the text's units to the table's.
* **Percentages** are checked from their count (:func:`percentage_agreement`: does
  ``100 * count / total`` print as the percentage?) and from their rounded value (which counts
  of ``total`` print as it: :func:`attainable_numerators`).

Exact arithmetic (``fractions.Fraction`` of the shortest repr of each float) keeps the edges
exact: 0.35 is 0.35, not 0.34999...
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

#: Printing conventions, simplest first; the first that gives the reported value is named.
CONVENTIONS = ("half-up", "truncation")

#: Days in a mean Gregorian month (365.2425 / 12), as outcomes.DAYS_PER_MONTH.
DAYS_PER_MONTH = 365.2425 / 12

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def printed_decimals(text) -> int:
    """Decimals of a number as printed: ``"35"`` -> 0, ``"1.0"`` -> 1, ``"0.002"`` -> 3."""
    text = str(text).strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a plain decimal number")
    return len(text.partition(".")[2])


def _exact(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(float(value)))


def _unit(decimals: int | None, step: float | None) -> Fraction:
    if step is not None:
        if step <= 0:
            raise ValueError(f"step must be positive, not {step!r}")
        return _exact(step)
    if decimals is None or decimals < 0:
        raise ValueError("give the printed decimals (0 or more) or the table's step")
    return Fraction(1, 10**decimals)


def printed_as(
    value, *, decimals: int | None = None, step: float | None = None, convention: str = "half-up"
) -> Fraction:
    """``value`` as it prints at ``decimals`` decimals (or at a table's ``step``) by ``convention``.

    ``"half-up"`` rounds halves away from zero (2.5 -> 3, -2.5 -> -3); ``"truncation"`` drops
    the digits beyond the precision (73.68 -> 73.6 at one decimal; -1.29 -> -1.2).
    """
    unit = _unit(decimals, step)
    multiple = _exact(value) / unit
    sign = -1 if multiple < 0 else 1
    if convention == "half-up":
        whole = math.floor(abs(multiple) + Fraction(1, 2))
    elif convention == "truncation":
        whole = math.floor(abs(multiple))
    else:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    return sign * whole * unit


@dataclass(frozen=True)
class Agreement:
    """The outcome of :func:`agreement`: ``agrees`` and the ``convention`` that gave it.

    ``convention`` is ``"half-up"`` or ``"truncation"`` when one of them prints the computed
    value as the reported one, else ``None``; ``printed`` is the computed value as each
    convention prints it; ``precision`` says what was honoured ("1 decimal", "step 0.25").
    """

    agrees: bool
    convention: str | None
    computed: float
    reported: float
    precision: str
    printed: dict

    def __bool__(self) -> bool:
        return self.agrees

    @property
    def explanation(self) -> str:
        """One phrase for a verdict's note: which convention applied, or what each gives."""
        shown = {c: _show(v) for c, v in self.printed.items()}
        if self.agrees and self.convention == "half-up":
            return f"{_show(self.computed)} prints as {_show(self.reported)} (half-up, {self.precision})"
        if self.agrees:
            return (
                f"{_show(self.computed)} prints as {_show(self.reported)} only by truncation ({self.precision}; "
                f"half-up gives {shown['half-up']})"
            )
        return f"{_show(self.computed)} prints as {shown['half-up']} (half-up) or {shown['truncation']} (truncation) at {self.precision}, not {_show(self.reported)}"


def _show(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if value == round(value):
        return f"{value:g}"
    return f"{value:.4f}".rstrip("0") if abs(value) >= 0.001 else f"{value:.3g}"


def agreement(
    computed,
    reported,
    *,
    decimals: int | None = None,
    step: float | None = None,
    conventions: tuple[str, ...] = CONVENTIONS,
) -> Agreement:
    """Whether ``computed`` prints as ``reported``, and by which convention.

    ``reported`` may be the printed text ("73.6"), whose decimals are then the precision, or a
    number with ``decimals`` given. ``step`` (a table's step such as 0.25 months) replaces the
    decimals. A missing computed value (None or NaN) never agrees.
    """
    if isinstance(reported, str):
        if decimals is None and step is None:
            decimals = printed_decimals(reported)
        reported = float(reported)
    precision = f"step {_show(step)}" if step is not None else f"{decimals} decimal{'' if decimals == 1 else 's'}"
    missing = computed is None or (isinstance(computed, float) and math.isnan(computed))
    if missing:
        return Agreement(False, None, float("nan"), float(reported), precision, {c: float("nan") for c in CONVENTIONS})
    target = _exact(reported)
    printed = {c: printed_as(computed, decimals=decimals, step=step, convention=c) for c in CONVENTIONS}
    applied = next((c for c in conventions if printed[c] == target), None)
    return Agreement(
        applied is not None,
        applied,
        float(computed),
        float(reported),
        precision,
        {c: float(v) for c, v in printed.items()},
    )


def agrees_at_precision(computed, reported, decimals: int, *, conventions: tuple[str, ...] = CONVENTIONS) -> bool:
    """``agreement(computed, reported, decimals=decimals).agrees`` (kept for the checks' brevity)."""
    return agreement(computed, reported, decimals=decimals, conventions=conventions).agrees


def precision_interval(reported: float, decimals: int) -> tuple[float, float]:
    """The values ``[low, high)`` that print as ``reported`` at ``decimals`` decimals, half up.

    Truncation widens the interval upward to ``reported + 10**-decimals`` (for positive values):
    :func:`printing_interval` gives the union of both conventions.
    """
    half = 0.5 * 10.0**-decimals
    return reported - half, reported + half


def printing_interval(reported: float, decimals: int) -> tuple[float, float]:
    """The values ``[low, high)`` that print as a non-negative ``reported`` by either convention."""
    return reported - 0.5 * 10.0**-decimals, reported + 10.0**-decimals


def attainable_numerators(
    percent, decimals: int, total: int, *, conventions: tuple[str, ...] = CONVENTIONS
) -> list[int]:
    """Whole numerators ``x`` (0..total) for which ``100 x / total`` prints as ``percent``."""
    total = int(total)
    # Only numerators whose percentage lies in the printing interval can agree: try those (a
    # window of a few counts), not every count up to total, so the cost does not grow with the cohort.
    low, high = printing_interval(float(percent), decimals)
    first = max(0, math.floor(low * total / 100) - 1)
    last = min(total, math.ceil(high * total / 100) + 1)
    return [
        x
        for x in range(first, last + 1)
        if agreement(Fraction(100 * x, total), percent, decimals=decimals, conventions=conventions).agrees
    ]


@dataclass(frozen=True)
class PercentageAgreement:
    """A printed percentage checked from its count and from its rounded value."""

    from_count: Agreement
    attainable_counts: tuple[int, ...]
    count: int
    total: int

    @property
    def agrees(self) -> bool:
        return self.from_count.agrees and self.count in self.attainable_counts

    def __bool__(self) -> bool:
        return self.agrees

    @property
    def explanation(self) -> str:
        counts = ", ".join(map(str, self.attainable_counts)) or "none"
        return f"{self.count}/{self.total}: {self.from_count.explanation}; counts of {self.total} that print as {_show(self.from_count.reported)}%: {counts}"


def percentage_agreement(count: int, total: int, percent, *, decimals: int | None = None) -> PercentageAgreement:
    """Does ``count/total`` print as ``percent``%, and which counts of ``total`` would?"""
    if isinstance(percent, str):
        decimals = printed_decimals(percent) if decimals is None else decimals
        percent = float(percent)
    result = agreement(Fraction(100 * int(count), int(total)), percent, decimals=decimals)
    return PercentageAgreement(result, tuple(attainable_numerators(percent, decimals, total)), int(count), int(total))


def days_to_months(days: float) -> float:
    """Days as months of 365.2425 / 12 days (the mean Gregorian month)."""
    return float(days) / DAYS_PER_MONTH


def weeks_to_months(weeks: float) -> float:
    """Weeks as months of 365.2425 / 12 days."""
    return days_to_months(7 * float(weeks))
