"""The figures' style, colours and saving: a fixed style and size, files without timestamps or salts,
and the interval every chart draws."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from ..outputs import figure_record, save_figure_record, target

#: One colour per analysis group, used by every figure (colour-blind safe, Okabe-Ito).
GROUP_COLOURS = {"CD": "#0072B2", "UC": "#D55E00", "pouchitis": "#009E73", "all": "#555555"}

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "svg.hashsalt": "tacrolimus-ibd",
    "svg.fonttype": "none",
}


#: The one interval a chart draws around an observed proportion (``statistics.proportion_table``'s
#: column prefix): the exact binomial interval of Clopper & Pearson (Biometrika 1934;26:404-413).
#: Its coverage is never below the nominal level, which is what a small case series calls for
#: (Agresti & Coull, Am Stat 1998;52:119-126, on its conservatism and the alternatives), and it is
#: the interval clinical readers of such series expect. The tables keep the Wilson interval beside it.
CHART_INTERVAL = "clopper_pearson"

#: Artists that draw an interval carry the gid ``interval:<estimate>:<method>``, so that what a
#: chart shows can be read back from the figure (``figure_intervals``), not from its pixels.
INTERVAL_GID = "interval"


def interval_gid(method: str, estimate: str = "proportion") -> str:
    return f"{INTERVAL_GID}:{estimate}:{method}"


def figure_intervals(fig: plt.Figure) -> dict[str, list[str]]:
    """The interval methods a figure draws, by the estimate they surround (e.g.
    ``{"proportion": ["clopper_pearson"]}``): read from the artists' gids, see ``INTERVAL_GID``."""
    found: dict[str, set[str]] = {}
    for artist in fig.findobj():
        gid = artist.get_gid()
        if isinstance(gid, str) and gid.startswith(INTERVAL_GID + ":"):
            _, estimate, method = gid.split(":", 2)
            found.setdefault(estimate, set()).add(method)
    return {estimate: sorted(methods) for estimate, methods in sorted(found.items())}


def figure_texts(fig: plt.Figure) -> list[str]:
    """Every non-empty visible text of a drawn figure, in artist order: titles, axis and tick
    labels, legend entries, annotations (tick labels are only filled in once the figure is drawn)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def use_style() -> None:
    """Apply the compendium's fixed plotting style (call once per notebook)."""
    matplotlib.rcParams.update(STYLE)


def render_png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes: fixed dpi, tight bounding box, no run-specific metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def save_figure(
    fig: plt.Figure,
    name: str,
    output_dir: str | Path | None,
    *,
    display: bool = True,
    alt: str | None = None,
    caption: str | None = None,
    appendix: bool | None = None,
) -> Path | None:
    """Save ``fig`` as ``output_dir/figures/<name>.png`` and show those same bytes.

    The figure is rendered once: the notebook displays exactly the file that is written
    (nothing is written when ``output_dir`` is None), and the figure is closed so that
    ``plt.show()`` or the end of the cell does not render it a second time.

    The figures manifest gets the figure's entry (``outputs.figure_record``: alt text, caption,
    appendix flag, from ``outputs.FIGURE_TEXT`` unless given here), and the displayed image
    carries the figure's name in its metadata, which is how the site knows which notebook, and
    which section of it, showed the figure. The metadata also records the intervals the figure
    draws (``figure_intervals``) and its texts (``figure_texts``), so that the committed
    notebooks can be checked for one interval kind per chart and for words, not code names.
    """
    png = render_png(fig)  # draws the figure: tick labels are filled in from here on
    path = target(output_dir, "figures", f"{name}.png")
    record = figure_record(name, alt=alt, caption=caption, appendix=appendix)
    if path is not None:
        path.write_bytes(png)
        save_figure_record(record, output_dir)
    if display:
        from IPython.display import Image
        from IPython.display import display as show

        # Shown at the size the screen resolution gives (savefig.dpi renders more pixels).
        width_px = int.from_bytes(png[16:20], "big")
        image = Image(data=png, format="png", width=round(width_px * STYLE["figure.dpi"] / STYLE["savefig.dpi"]))
        facts = {"figure": name, "intervals": figure_intervals(fig), "texts": figure_texts(fig)}
        show(image, metadata={"tacrolimus_ibd": facts})
        plt.close(fig)
    return path
