"""The checks, grouped by section of the paper; importing this package registers them all."""

from . import adverse, cohort, follow_up, literature, methods, troughs, week4  # noqa: F401  (registers the checks)
from .base import CHECKS, CheckFunction, Evidence, Verdict, check

__all__ = ["CHECKS", "CheckFunction", "Evidence", "Verdict", "check"]
