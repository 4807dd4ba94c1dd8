"""Published studies discussed by Ng, Arebi & Kamm (2007), and simple pooling of their proportions.

``data/paper/literature.csv`` holds one row per study arm and outcome: the published counts
(``events``/``total``) checked against each study's own abstract or paper, the study's own
percentage, what Ng et al. say of the study (``paper_account``) and where the two differ
(``disagreement``). It is the paper's, not a cohort's: ``paper.read_literature`` reads it once
(``study.literature``), and its data dictionary is the ``literature`` resource of
``data/paper/datapackage.json``.

Functions here are small and pure:

* :func:`exact_intervals` adds Clopper-Pearson (exact binomial) confidence intervals;
* :func:`pool_random_effects` pools proportions on the logit scale with a random-effects
  model (statsmodels' ``combine_effects``) and back-transforms the result;
* :func:`cohort_rows` puts this cohort's own rates in the same shape, :func:`forest_rows`
  gathers what a forest plot shows, :func:`select_rows` and :data:`OBSERVATIONAL_SERIES` name
  the rows that are pooled, :func:`pool_rows`/:func:`pooled_table` pool them, and
  :func:`trough_bands`, :func:`study_overview` and :func:`disagreements` tabulate the rest.

Modules: ``meta`` (exact intervals, the random-effects pooling and its result), ``this_cohort`` (this cohort
in the literature's shape, forest rows), ``pooling`` (which rows are pooled, and the pooled tables) and
``tables`` (descriptive tables).
"""

from __future__ import annotations

from .meta import COLUMNS, CONTINUITY_CORRECTION, PooledProportion, exact_intervals, pool_random_effects
from .pooling import (
    OBSERVATIONAL_SERIES,
    POOLING_WINDOWS,
    THIS_COHORT_POOLING_ROW,
    pool_rows,
    pooled_forest_rows,
    pooled_table,
    published_pooled,
    select_rows,
)
from .tables import disagreements, study_overview, trough_bands
from .this_cohort import (
    COHORT_ARMS,
    FOREST_KINDS,
    THIS_COHORT_ID,
    cohort_rows,
    combine,
    forest_rows,
    rows_without_figures,
    with_headers,
)

__all__ = [
    "COHORT_ARMS",
    "COLUMNS",
    "CONTINUITY_CORRECTION",
    "FOREST_KINDS",
    "OBSERVATIONAL_SERIES",
    "POOLING_WINDOWS",
    "PooledProportion",
    "THIS_COHORT_ID",
    "THIS_COHORT_POOLING_ROW",
    "cohort_rows",
    "combine",
    "disagreements",
    "exact_intervals",
    "forest_rows",
    "pool_random_effects",
    "pool_rows",
    "pooled_forest_rows",
    "pooled_table",
    "published_pooled",
    "rows_without_figures",
    "select_rows",
    "study_overview",
    "trough_bands",
    "with_headers",
]
