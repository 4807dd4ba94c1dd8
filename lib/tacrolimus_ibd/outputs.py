"""Where results are written, and how, so that the same inputs give byte-identical files.

Notebooks call these with their ``output_dir`` parameter. When ``output_dir`` is None (the
default in the committed notebooks, which a reader runs interactively and nbval re-executes)
nothing is written: only the pipeline writes outputs/.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def target(output_dir: str | Path | None, kind: str, filename: str) -> Path | None:
    """The path ``output_dir/kind/filename`` (folders created), or None when not writing."""
    if output_dir is None:
        return None
    folder = Path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def save_table(frame: pd.DataFrame, name: str, output_dir: str | Path | None, *, index: bool = True) -> Path | None:
    """Write ``frame`` to ``output_dir/tables/<name>.csv`` (UTF-8, '\\n' line ends)."""
    path = target(output_dir, "tables", f"{name}.csv")
    if path is not None:
        frame.to_csv(path, index=index, lineterminator="\n", encoding="utf-8")
    return path


#: A displayed table shows at most this many rows (the saved CSV holds them all), so that a
#: cohort of 100,000 patients gives a notebook, and a report, of the same size as the paper's.
DISPLAY_ROW_LIMIT = 60
#: A displayed text cell shows at most this many characters (a note naming 10,000 patients).
DISPLAY_CELL_LIMIT = 2000


def _long_text(value) -> bool:
    return isinstance(value, str) and len(value) > DISPLAY_CELL_LIMIT


def _cut(value):
    return f"{value[:DISPLAY_CELL_LIMIT]}... ({len(value):,} characters)" if _long_text(value) else value


def shown_part(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """What a table display shows of ``frame``: its first DISPLAY_ROW_LIMIT rows, text cells cut
    at DISPLAY_CELL_LIMIT characters, and a note saying what was left out ("" when nothing was)."""
    part = frame.head(DISPLAY_ROW_LIMIT)
    notes = [f"the first {DISPLAY_ROW_LIMIT} of {len(frame):,} rows"] if len(frame) > DISPLAY_ROW_LIMIT else []
    text_columns = [column for column in part.columns if pd.api.types.is_object_dtype(part[column])]
    long = {column: int(part[column].map(_long_text).sum()) for column in text_columns}
    long = {column: n for column, n in long.items() if n}
    if long:  # only those columns change: the others keep their types (and formats)
        part = part.copy()
        for column in long:
            part[column] = part[column].map(_cut)
        notes.append(f"{sum(long.values())} text cell(s) cut at {DISPLAY_CELL_LIMIT:,} characters")
    return part, (f"Shown: {'; '.join(notes)}." if notes else "")


class Table:
    """A table for notebook display: styled HTML, and plain text that is the same every run.

    pandas' Styler draws a random HTML id for every render and its text form shows a memory
    address; either would make each run's notebook differ (and nbval fail) with no change.
    A table longer than DISPLAY_ROW_LIMIT rows shows its first rows and says how many there are.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        formats: dict | None = None,
        index: bool = False,
        caption: str | None = None,
    ):
        self.frame, self.name, self.formats, self.index, self.caption = frame, name, formats, index, caption

    def _repr_html_(self) -> str:
        import html

        part, note = shown_part(self.frame)
        styler = part.style.set_uuid(self.name).format(self.formats or {}, na_rep="", precision=2)
        if self.caption:
            styler = styler.set_caption(self.caption)
        table = (styler if self.index else styler.hide(axis="index")).to_html()
        return table + (f"<p><em>{html.escape(note)}</em></p>\n" if note else "")

    def __repr__(self) -> str:
        part, note = shown_part(self.frame)
        text = part.to_string(index=self.index) + (f"\n{note}" if note else "")
        return f"{self.caption}\n{text}" if self.caption else text


#: Display formats of a proportion and its two intervals (statistics.proportion_table's columns).
CI_FORMATS = {
    c: "{:.2f}" for c in ["proportion", "clopper_pearson_low", "clopper_pearson_high", "wilson_low", "wilson_high"]
}


def show(frame: pd.DataFrame, name: str, *, formats: dict | None = None, index: bool = False) -> Table:
    """Display ``frame`` in a notebook with a fixed HTML id; ``formats`` maps column to format."""
    return Table(frame, name, formats=formats, index=index)


#: The project's one per-patient display limit (issue #13 item 5). Up to this many patients a
#: notebook shows one mark per patient (a dot, a bar) and one row per patient; above it a figure
#: switches to an aggregate view (plots) and a per-patient table to counts
#: (``show_per_patient``), and each says so. Sixty rows or marks is about what a reader can
#: scan on one screen; the paper's 19 patients stay one row each.
PER_PATIENT_DISPLAY_LIMIT = 60

#: The notebooks' per-patient tables (display name -> the columns their counts are by, above
#: ``PER_PATIENT_DISPLAY_LIMIT``): the group, then what the table is about.
PER_PATIENT_TABLES = {
    "early_stops": ("diagnosis", "before_week4_assessment"),
    "uc_week4_facts": ("week4_response", "basis"),
    "pouchitis_week4": ("measure", "class_week0", "class_week4"),
    "denominator_differences": ("diagnosis", "per_protocol"),
    "relapses": ("diagnosis", "sources", "ambiguous_cell"),
    "steroid_tapering": ("diagnosis", "concurrent_prednisolone_at_start", "steroid_tapering_table4"),
    "side_effect_discontinuations": ("diagnosis", "stopped", "stopped_for_side_effects"),
    "table5_trough_positions": ("diagnosis", "position"),
    "trough_patients_not_in_table5": ("diagnosis", "outcome_end_of_follow_up"),
}

#: How a missing value is counted in a per-patient summary: as its own category, never dropped.
MISSING_CATEGORY = "(missing)"


def patients_in(frame: pd.DataFrame) -> int:
    """The number of patients a per-patient table holds: distinct ``patient_id`` values (a
    column or the index), else its rows."""
    if "patient_id" in frame.columns:
        return int(frame["patient_id"].nunique())
    if "patient_id" in (frame.index.names or []):
        return int(frame.index.get_level_values("patient_id").nunique())
    return len(frame)


def counts_by(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows per combination of ``columns`` (index levels may be named too), with their percent.

    One row per combination present, in the order of first appearance (the table's own order,
    so a table sorted by group stays so); a missing value is a category of its own
    (``MISSING_CATEGORY``). Columns: ``columns``, ``patients`` (n) and ``percent`` (of all rows,
    unrounded; the percentages sum to 100).
    """
    flat = frame.reset_index() if any(c in (frame.index.names or []) for c in columns) else frame
    unknown = [c for c in columns if c not in flat.columns]
    if unknown:
        raise KeyError(f"no column {unknown} to count by; the table has {list(flat.columns)}")
    keys = flat[columns].astype(object).where(flat[columns].notna(), MISSING_CATEGORY).astype(str)
    counts = keys.groupby(columns, sort=False).size().rename("patients").reset_index()
    counts["percent"] = 100 * counts["patients"] / max(len(flat), 1)
    return counts


def show_per_patient(
    frame: pd.DataFrame,
    name: str,
    *,
    count_by: list[str] | tuple[str, ...] | None = None,
    formats: dict | None = None,
    index: bool = False,
    limit: int = PER_PATIENT_DISPLAY_LIMIT,
) -> Table:
    """Display a per-patient table: one row per patient up to ``limit`` patients, else counts.

    Up to ``limit`` patients (``patients_in``) this is ``show(frame, name, ...)``, unchanged.
    Above it the table is replaced by ``counts_by(frame, count_by)`` (n and % per category;
    ``count_by`` None: ``PER_PATIENT_TABLES[name]``) with a caption that says so in words; the
    file a notebook saves (``save_table``) keeps every row.
    """
    patients = patients_in(frame)
    if patients <= limit:
        return show(frame, name, formats=formats, index=index)
    count_by = list(PER_PATIENT_TABLES[name] if count_by is None else count_by)
    caption = (
        f"{patients:,} patients, more than {limit} (outputs.PER_PATIENT_DISPLAY_LIMIT): counts by "
        f"{', '.join(count_by)}, not one row per patient"
    )
    return Table(counts_by(frame, count_by), name, formats={"percent": "{:.1f}%"}, caption=caption)


def save_key_results(results: dict, notebook: str, output_dir: str | Path | None) -> Path | None:
    """Write a notebook's headline results to ``output_dir/key_results/<notebook>.json``.

    One flat mapping of name to number or text (e.g. ``{"cd_week4_response_rate": 0.83}``);
    batch runs compare these across parameter sets. Keys are sorted so files are identical
    run to run.
    """
    import json
    import math

    clean = {}
    for key, value in results.items():
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        clean[str(key)] = value
    path = target(output_dir, "key_results", f"{notebook}.json")
    if path is not None:
        path.write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


#: The heading (level 2) of the section that ends a notebook with its methods figures, after the
#: "For discussion" box: the figures flagged ``appendix`` in ``FIGURE_TEXT`` are shown there.
APPENDIX_HEADING = "Appendix: methods"

#: What a reader is told about each figure the notebooks save: alt text (what the picture shows,
#: for a screen reader), a caption (how to read it), and whether it answers a methods question
#: rather than a clinical one (shown under ``APPENDIX_HEADING``, in the notebook and in the
#: reader's edition).
FIGURE_TEXT = {
    "cohort_age_duration": {
        "alt": "Dot plot of each patient's age and disease duration, by diagnosis group (Crohn's disease, ulcerative colitis, pouchitis).",
        "caption": "Who was treated: one dot per patient, so the spread behind each group's mean is visible.",
    },
    "cdai_illustrative_points": {
        "alt": "Bar chart of the points each CDAI item contributes for illustrative patients.",
        "caption": "How the Crohn's Disease Activity Index adds up, item by item, for illustrative patients (not the paper's patients).",
        "appendix": True,
    },
    "cdai_scale_reported": {
        "alt": "The CDAI scale with its activity bands and the paper's reported median CDAI before and after 4 weeks of tacrolimus.",
        "caption": "The reported Crohn's disease activity before and after treatment, placed on the CDAI's bands (remission below 150).",
    },
    "week4_response_intervals": {
        "alt": "Response rates at week 4 by diagnosis group, each with its exact (Clopper-Pearson) confidence interval and the count the paper reports.",
        "caption": "Week-4 response by group: the dot is the proportion, the line its exact (Clopper-Pearson) confidence interval; the table gives the Wilson interval too. Small groups give wide intervals.",
    },
    "cdai_p_values": {
        "alt": "P-values of the fall in CDAI under several tests and sample sizes, beside the paper's reported P-value.",
        "caption": "Which test gives the paper's P-value for the fall in CDAI: a methods question.",
        "appendix": True,
    },
    "medium_term_rates_by_denominator": {
        "alt": "Medium-term rates (remission, relapse, steroid tapering, stops for side effects) over two denominators, each with its exact (Clopper-Pearson) confidence interval.",
        "caption": "Each medium-term rate over all patients treated and over those who reached the time point: the denominator changes the rate.",
    },
    "swimmer_time_on_tacrolimus": {
        "alt": "Swimmer plot with one bar per patient showing months on tacrolimus, relapses, stops for side effects and outcome at the end of follow-up.",
        "caption": "Time on tacrolimus, patient by patient, with relapses, stops for side effects and the outcome at the end of follow-up.",
    },
    "km_time_on_tacrolimus": {
        "alt": "Kaplan-Meier curves of the time patients stayed on tacrolimus under three readings of unknown status.",
        "caption": "How long patients stayed on tacrolimus (Kaplan-Meier), under three ways of treating patients whose status is unknown.",
    },
    "trough_per_patient": {
        "alt": "One row per patient: mean tacrolimus trough level with the range of single levels, beside the target band.",
        "caption": "Tacrolimus trough levels per patient (mean and range) against the target band.",
    },
    "trough_by_outcome": {
        "alt": "Trough levels of patients grouped by outcome at the end of follow-up and by side effects.",
        # No conclusion in a caption typed once for every cohort: the notebook's tests say what the data show.
        "caption": "Mean trough level against outcome and side effects (notebook 05 tests the relation).",
    },
    "literature_forest": {
        "alt": "Forest plot of response and remission proportions with exact confidence intervals, other studies above and this cohort below.",
        "caption": "This cohort beside the studies the paper discusses: proportions with exact confidence intervals.",
    },
    "literature_pooled_forest": {
        "alt": "Random-effects pooled estimates of response and remission, with and without this cohort.",
        "caption": "Pooling the observational series: the pooled estimates and how much the studies disagree (I squared).",
        "appendix": True,
    },
    "claims_by_theme_and_status": {
        "alt": "Stacked bars of the paper's claims by theme, coloured by the audit's verdict.",
        "caption": "The paper's numeric claims by theme, and what the audit found for each.",
    },
}

FIGURE_MANIFEST_SUFFIX = ".json"


def figure_record(
    name: str, *, alt: str | None = None, caption: str | None = None, appendix: bool | None = None
) -> dict:
    """What the figures manifest records of figure ``name``: its alt text, caption and appendix flag.

    Keyword arguments override the description in ``FIGURE_TEXT``; a figure without either gets
    its name as caption and an alt text that says no description was written (never silent).
    """
    known = FIGURE_TEXT.get(name, {})
    return {
        "name": name,
        "alt": alt or known.get("alt") or f"Figure {name} (no description written)",
        "caption": caption or known.get("caption") or name.replace("_", " "),
        "appendix": bool(known.get("appendix", False) if appendix is None else appendix),
    }


def save_figure_record(record: dict, output_dir: str | Path | None) -> Path | None:
    """Write one entry of the run's figures manifest: ``output_dir/figures/<name>.json``.

    One small file per figure, so notebooks running in parallel never write the same file; the
    site reads them all (``read_figure_manifest``). Which notebook showed the figure is recorded
    in that notebook's output (the display's metadata), written in the same call.
    """
    import json

    path = target(output_dir, "figures", record["name"] + FIGURE_MANIFEST_SUFFIX)
    if path is not None:
        path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_figure_manifest(output_dir: str | Path) -> dict[str, dict]:
    """The run's figures manifest: figure name -> record (alt, caption, appendix), by name."""
    import json

    folder = Path(output_dir) / "figures"
    records = {}
    for path in sorted(folder.glob("*" + FIGURE_MANIFEST_SUFFIX)) if folder.is_dir() else []:
        records[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return records
