"""The static HTML report of a run (``<output_dir>/site/``): see ``site`` for what it holds.

Templates (``templates/``) and the site's CSS, scripts and reveal.js (``static/``) ship with the
package.
"""

from .site import (
    PAPER_CITATION,
    SITE_DIR,
    STATUS_LABELS,
    NotebookInfo,
    SiteStep,
    build_site,
    notebook_info,
    read_claims,
    site_step,
    status_counts,
)

__all__ = [
    "PAPER_CITATION",
    "SITE_DIR",
    "STATUS_LABELS",
    "NotebookInfo",
    "SiteStep",
    "build_site",
    "notebook_info",
    "read_claims",
    "site_step",
    "status_counts",
]
