"""Deterministic figures: a fixed style and size, and files without timestamps or salts.

Matplotlib stamps PNGs with its version (stable for pinned versions) and, by default, SVGs
with a date and a random hash salt; both are fixed here so reruns give byte-identical files.

Modules: ``style`` (the style, colours, the chart interval, saving), ``outcomes`` (notebooks 03 and 04),
``troughs`` (notebook 05), ``forests`` (notebook 06), ``activity`` (notebook 02) and ``audit`` (notebook 07).
"""

from __future__ import annotations

from ..outputs import PER_PATIENT_DISPLAY_LIMIT
from .activity import ACTIVITY_COLOURS, activity_scale, stacked_points
from .audit import claims_by_status_and_theme
from .forests import forest, forest_handles, pooled_forest_panels
from .outcomes import (
    cohort_dots,
    p_value_dots,
    patient_points,
    proportion_intervals,
    rates_by_denominator,
    survival_curves,
    swimmer,
    swimmer_aggregate,
)
from .style import (
    CHART_INTERVAL,
    GROUP_COLOURS,
    INTERVAL_GID,
    STYLE,
    figure_intervals,
    figure_texts,
    render_png,
    save_figure,
    use_style,
)
from .troughs import BAND_COLOURS, trough_by_outcome, trough_distribution, trough_ranges

__all__ = [
    "ACTIVITY_COLOURS",
    "BAND_COLOURS",
    "CHART_INTERVAL",
    "GROUP_COLOURS",
    "INTERVAL_GID",
    "PER_PATIENT_DISPLAY_LIMIT",
    "STYLE",
    "activity_scale",
    "claims_by_status_and_theme",
    "cohort_dots",
    "figure_intervals",
    "figure_texts",
    "forest",
    "forest_handles",
    "p_value_dots",
    "patient_points",
    "pooled_forest_panels",
    "proportion_intervals",
    "rates_by_denominator",
    "render_png",
    "save_figure",
    "stacked_points",
    "survival_curves",
    "swimmer",
    "swimmer_aggregate",
    "trough_by_outcome",
    "trough_distribution",
    "trough_ranges",
    "use_style",
]
