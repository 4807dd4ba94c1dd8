"""Reproducible compendium of Ng, Arebi & Kamm, Inflamm Bowel Dis 2007;13:129-134.

Modules, one concept each: ``data`` (load and validate data/), ``scores`` (disease-activity
indices), ``outcomes`` (rates and outcome tables), ``statistics`` (intervals, tests, survival),
``trough`` (trough-level analysis), ``literature`` (published studies), ``claims`` (the claims
ledger and its checks), ``plots`` (deterministic figures), ``pipeline`` (papermill runs).
"""

__version__ = "0.1.0"
