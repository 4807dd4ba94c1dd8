"""Pouchitis activity: the modified Pouchitis Disease Activity Index (Shen et al. 2003)."""

from __future__ import annotations

import numpy as np

from .arguments import argument_layout, check_scale, wrap_result

#: mPDAI stool-frequency item: 1 point from this many stools a day above the patient's usual
#: post-operative frequency, 2 points from the second (see :func:`mpdai_stool_frequency_points`).
MPDAI_STOOL_EXCESS_POINTS_FROM = (1, 3)
#: mPDAI items and their maximum points (see :func:`mpdai`): four clinical, then the six
#: endoscopic items listed in ``MPDAI_ENDOSCOPIC_ITEMS``.
MPDAI_ITEM_MAX = {
    "stool_frequency": 2,
    "rectal_bleeding": 1,
    "urgency_or_cramps": 2,
    "fever": 1,
    "edema": 1,
    "granularity": 1,
    "friability": 1,
    "loss_of_vascular_pattern": 1,
    "mucous_exudate": 1,
    "ulceration": 1,
}
MPDAI_ENDOSCOPIC_ITEMS = (
    "edema",
    "granularity",
    "friability",
    "loss_of_vascular_pattern",
    "mucous_exudate",
    "ulceration",
)
#: mPDAI: pouchitis at or above this score (Shen et al. 2003).
MPDAI_POUCHITIS_FROM = 5
#: mPDAI scale: best and worst possible totals.
MPDAI_RANGE = (0, 12)


def mpdai(
    *,
    stool_frequency,
    rectal_bleeding,
    urgency_or_cramps,
    fever,
    edema,
    granularity,
    friability,
    loss_of_vascular_pattern,
    mucous_exudate,
    ulceration,
):
    """Modified Pouchitis Disease Activity Index (mPDAI), 0-12.

    Source: Shen B, Achkar JP, Connor JT, et al. Modified pouchitis disease activity index:
    a simplified approach to the diagnosis of pouchitis. Dis Colon Rectum 2003;46:748-753.
    The mPDAI is the PDAI (Sandborn WJ et al. Mayo Clin Proc 1994;69:409-415) without its
    histology items. Item points checked against the PDAI table in the BSG guidelines
    (gut.bmj.com, "Pouchitis Disease Activity Index", Table 6).

    Each argument is the item's points:

    Clinical (0-6)
        ``stool_frequency``  0 usual post-operative frequency, 1 one to two stools a day more,
                             2 three or more a day more (integer 0-2).
        ``rectal_bleeding``  0 absent or rare, 1 present daily (0-1).
        ``urgency_or_cramps`` 0 absent, 1 occasional, 2 usual (integer 0-2).
        ``fever``            temperature > 37.8 C (100.5 F): 0 absent, 1 present (0-1).
    Endoscopic (0-6), 1 point each if present (bool or 0/1)
        ``edema``, ``granularity``, ``friability``, ``loss_of_vascular_pattern``,
        ``mucous_exudate``, ``ulceration``.

    Returns the total as a float, or an array/Series of them.
    """
    values_by_item = {
        "stool_frequency": stool_frequency,
        "rectal_bleeding": rectal_bleeding,
        "urgency_or_cramps": urgency_or_cramps,
        "fever": fever,
        "edema": edema,
        "granularity": granularity,
        "friability": friability,
        "loss_of_vascular_pattern": loss_of_vascular_pattern,
        "mucous_exudate": mucous_exudate,
        "ulceration": ulceration,
    }
    items = {name: (values, MPDAI_ITEM_MAX[name]) for name, values in values_by_item.items()}
    layout = argument_layout(**{name: values for name, (values, _) in items.items()})
    total = sum(check_scale(name, values, 0, top) for name, (values, top) in items.items())
    return wrap_result(total, layout, "mpdai")


def mpdai_category(score):
    """ "pouchitis" for an mPDAI score >= 5, otherwise "remission".

    ``score``: an mPDAI total, integer 0-12. The >= 5 diagnostic cut-off is Shen et al.
    2003 (see :func:`mpdai`).
    """
    layout = argument_layout(score=score)
    value = check_scale("score", score, *MPDAI_RANGE)
    label = np.where(value >= MPDAI_POUCHITIS_FROM, "pouchitis", "remission")
    return wrap_result(label, layout, "mpdai_category")


def mpdai_stool_frequency_points(*, stools_per_day, usual_stools_per_day):
    """Points of the mPDAI stool-frequency item from stool counts (integer 0-2).

    Source: the PDAI (Sandborn WJ et al. Mayo Clin Proc 1994;69:409-415), kept unchanged in
    the mPDAI (Shen et al. 2003): 0 for the usual post-operative frequency, 1 for one to two
    stools a day more than usual, 2 for three or more a day more (``MPDAI_STOOL_EXCESS_POINTS_FROM``).
    Fewer stools than usual score 0.

    ``stools_per_day``        current stools in 24 h, integer >= 0.
    ``usual_stools_per_day``  the patient's usual post-operative frequency, integer >= 0.
    """
    layout = argument_layout(stools_per_day=stools_per_day, usual_stools_per_day=usual_stools_per_day)
    stools = check_scale("stools_per_day", stools_per_day, 0, np.inf)
    usual = check_scale("usual_stools_per_day", usual_stools_per_day, 0, np.inf)
    points = np.digitize(stools - usual, MPDAI_STOOL_EXCESS_POINTS_FROM).astype(float)
    return wrap_result(points, layout, "mpdai_stool_frequency_points")
