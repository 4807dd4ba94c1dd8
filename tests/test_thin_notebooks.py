"""The notebooks stay thin (#15 item 2): narrative, parameters, calls and display; the computation
lives in the library. No function or class is defined in a notebook, at most 500 code lines
across the seven, each opens the study with open_study, and no notebook repeats the interval
formats (outputs.CI_FORMATS) or names a patient by number in code."""

import json
import re
from pathlib import Path

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_CODE_LINES = 500


def _code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_there_are_seven_notebooks():
    assert len(NOTEBOOKS) == 7


def test_no_function_or_class_is_defined_in_a_notebook():
    defining = [p.name for p in NOTEBOOKS if re.search(r"^\s*(def|class|async def) |\blambda\b", _code(p), re.M)]
    assert not defining


def test_at_most_500_code_lines_across_the_notebooks():
    lines = sum(1 for p in NOTEBOOKS for line in _code(p).splitlines() if line.strip())
    assert lines <= MAX_CODE_LINES


def test_every_notebook_opens_the_study_with_one_call():
    assert [p.name for p in NOTEBOOKS if "open_study(data_dir)" not in _code(p) or "load_tables(" in _code(p)] == []


def test_no_notebook_repeats_the_interval_formats_or_names_a_patient():
    for path in NOTEBOOKS:
        code = _code(path)
        assert 'clopper_pearson_low": "{' not in code and "'clopper_pearson_low': '{" not in code, path.name
        assert not re.search(r"patient_id\"\]\s*==\s*\d+|\.loc\[\d+\b|patient(?:s)?\s*=\s*\[\d", code), path.name


def test_printed_readings_are_words_not_code_views():
    """What a notebook prints is read by clinicians (the reader's edition shows it): no dict or list
    repr, no bare True/False, no code name of the label map (labels.LABELS) where words exist."""
    from tacrolimus_ibd.labels import LABELS

    named = re.compile(r"\b(" + "|".join(re.escape(k) for k in LABELS if "_" in k) + r")\b")
    problems = []
    for path in NOTEBOOKS:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", "")) if output.get("output_type") == "stream" else ""
                for line in text.splitlines():
                    if re.search(r"\{'|\['|: (True|False)\b|\b(True|False)\.?$", line) or named.search(line):
                        problems.append(f"{path.stem} cell {index}: {line[:100]}")
    assert problems == [], "\n".join(problems)
