"""Reproducible compendium of Ng, Arebi & Kamm, Inflamm Bowel Dis 2007;13:129-134.

Modules, one concept each: ``data`` (load and validate data/), ``study`` (open a study once:
``open_study``), ``scores`` (disease-activity indices), ``outcomes`` (rates and outcome tables),
``medium_term`` (notebook 04's analysis as one result object), ``statistics`` (intervals, tests,
survival), ``trough`` (trough-level analysis), ``literature`` (published studies), ``claims``
(the claims ledger and its checks), ``plots`` (deterministic figures), ``pipeline`` (papermill runs).
"""

__version__ = "0.1.0"


def __getattr__(name):
    # open_study is imported on first use, so the command line starts without matplotlib.
    if name == "open_study":
        from .study import open_study

        return open_study
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
