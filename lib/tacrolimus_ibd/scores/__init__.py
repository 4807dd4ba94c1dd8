"""Disease-activity indices for inflammatory bowel disease (IBD).

Indices and their sources:

* :func:`cdai`, :func:`cdai_category` -- Crohn's Disease Activity Index.
  Best WR, Becktel JM, Singleton JW, Kern F. Gastroenterology 1976;70:439-444.
* :func:`harvey_bradshaw`, :func:`harvey_bradshaw_category` -- Harvey-Bradshaw index.
  Harvey RF, Bradshaw JM. A simple index of Crohn's-disease activity. Lancet 1980;1:514.
* :func:`truelove_witts` -- modified Truelove & Witts severity grading of ulcerative colitis.
  Truelove SC, Witts LJ. BMJ 1955;2:1041-1048, in the modified table of the ECCO consensus
  (Stange EF, Travis SPL, et al. J Crohns Colitis 2008;2:1-23).
* :func:`lichtiger` -- Lichtiger clinical activity index (0-21) for severe ulcerative colitis.
  Lichtiger S, Present DH, et al. N Engl J Med 1994;330:1841-1845.
* :func:`mpdai`, :func:`mpdai_category` -- modified Pouchitis Disease Activity Index.
  Shen B, Achkar JP, et al. Dis Colon Rectum 2003;46:748-753.

Each function's docstring says where its item wording and cut-offs were checked (the public
pages named there); published implementations disagree in places, and the docstrings say how.

Conventions shared by every function:

* Arguments are keyword-only and named for the clinical variable, with units in the name.
* Every argument accepts a scalar or an array-like (list, numpy array, pandas Series).
  Scalars broadcast against arrays; arrays must all have the same shape. A scalar-only call
  returns a Python scalar (``float`` for scores, ``str`` for categories); otherwise a numpy
  array, or a pandas Series carrying the index when any argument is a Series (every Series
  argument must then share that index, so rows can never be silently misaligned).
* Impossible input raises ``ValueError`` whose message starts with the argument's name:
  a value off the item's scale, a non-integer count, a missing (None/NaN) value, an unknown
  sex, or mismatched lengths. Laboratory and vital-sign arguments also carry wide
  physiological-plausibility limits (``arguments.PLAUSIBLE_LIMITS``), chosen here to catch unit errors such as
  haemoglobin in g/L, temperature in Fahrenheit or haematocrit as a fraction.
* Computation is vectorised with numpy; there is no per-row Python loop.

Modules: ``crohns`` (CDAI, Harvey-Bradshaw), ``colitis`` (Truelove-Witts, Lichtiger), ``pouchitis``
(mPDAI), ``cutoffs`` (every category rule as a table) and ``arguments`` (the shared checks).
"""

from __future__ import annotations

from .colitis import (
    LICHTIGER_RANGE,
    TRUELOVE_WITTS_MILD,
    TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY,
    TRUELOVE_WITTS_SEVERE,
    lichtiger,
    truelove_witts,
)
from .crohns import (
    CDAI_CUTOFFS,
    CDAI_HEMATOCRIT,
    CDAI_WEIGHTS,
    HARVEY_BRADSHAW_CUTOFFS,
    cdai,
    cdai_bands,
    cdai_category,
    cdai_components,
    cdai_items,
    harvey_bradshaw,
    harvey_bradshaw_category,
)
from .cutoffs import index_cutoffs
from .pouchitis import (
    MPDAI_ENDOSCOPIC_ITEMS,
    MPDAI_ITEM_MAX,
    MPDAI_POUCHITIS_FROM,
    MPDAI_RANGE,
    MPDAI_STOOL_EXCESS_POINTS_FROM,
    mpdai,
    mpdai_category,
    mpdai_stool_frequency_points,
)

__all__ = [
    "cdai",
    "cdai_category",
    "cdai_components",
    "cdai_items",
    "cdai_bands",
    "index_cutoffs",
    "mpdai_stool_frequency_points",
    "CDAI_CUTOFFS",
    "CDAI_WEIGHTS",
    "CDAI_HEMATOCRIT",
    "HARVEY_BRADSHAW_CUTOFFS",
    "TRUELOVE_WITTS_SEVERE",
    "TRUELOVE_WITTS_MILD",
    "TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY",
    "MPDAI_POUCHITIS_FROM",
    "MPDAI_RANGE",
    "MPDAI_STOOL_EXCESS_POINTS_FROM",
    "MPDAI_ITEM_MAX",
    "MPDAI_ENDOSCOPIC_ITEMS",
    "LICHTIGER_RANGE",
    "harvey_bradshaw",
    "harvey_bradshaw_category",
    "truelove_witts",
    "lichtiger",
    "mpdai",
    "mpdai_category",
]

# Plausibility limits (inclusive) for measured quantities. They are not part of any index:
