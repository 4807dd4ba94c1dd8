"""Bring your own cohort: exactly the README's steps, with the synthetic cohort standing in for a centre's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from tacrolimus_ibd.__main__ import main

from .conftest import DATA_DIR, ROOT, run_synthetic_tool

TOOL = ROOT / "tools" / "make_synthetic_cohort.py"
EXAMPLE = ROOT / "examples" / "synthetic_cohort"


def _tool(*args: str) -> SimpleNamespace:
    """tools/make_synthetic_cohort.py with these arguments, in this process: exit status, stderr."""
    status, stderr = run_synthetic_tool(*args)
    return SimpleNamespace(returncode=status, stderr=stderr)


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def centre(tmp_path_factory) -> dict[str, Path]:
    """Make the cohort, validate it, run the whole suite on it: the README's three commands."""
    root = tmp_path_factory.mktemp("own_cohort")
    cohort, outputs = root / "my_cohort", root / "my_outputs"
    made = _run(str(TOOL), str(cohort))
    assert made.returncode == 0, made.stderr
    valid = _run("-m", "tacrolimus_ibd", "validate", str(cohort))
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.strip().endswith(": valid")
    run = _run(
        "-m", "tacrolimus_ibd", "reproduce", "--data-dir", str(cohort), "--output-dir", str(outputs), "--no-progress"
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return {"cohort": cohort, "outputs": outputs}


@pytest.mark.e2e
def test_every_notebook_runs_on_the_other_cohort(centre):
    outputs = centre["outputs"]
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in (outputs / "notebooks").glob("*.ipynb")) == notebooks
    manifest = json.loads((outputs / "manifest.json").read_text())
    assert manifest["completed"] is True
    assert all(name.startswith(centre["cohort"].name + "/") for name in manifest["data_files"])
    # The paper's inputs, read by every run whatever its cohort, are in its provenance too.
    assert set(manifest["paper_files"]) == {
        f"data/paper/{p.name}" for p in (ROOT / "data" / "paper").iterdir() if p.is_file()
    }
    assert list((outputs / "figures").glob("*.png")), "no figure written"
    assert list((outputs / "tables").glob("*.csv")), "no table written"
    # The executed notebooks read the centre's data, not the paper's.
    cohort01 = (outputs / "notebooks" / "01_cohort.ipynb").read_text()
    assert "16 patients" in cohort01


@pytest.mark.e2e
def test_the_notebooks_tell_the_other_cohort_none_of_the_papers_facts(centre):
    """Markdown and displayed outputs of every executed notebook: no sentence true only of the
    paper's transcription (tests/test_narrative.PAPER_ONLY); the paper's run keeps them."""
    from .test_narrative import notebook_text, paper_phrases_in

    found = {
        p.name: paper_phrases_in(notebook_text(p)) for p in sorted((centre["outputs"] / "notebooks").glob("*.ipynb"))
    }
    assert len(found) == 7 and {name: hits for name, hits in found.items() if hits} == {}


@pytest.mark.e2e
def test_the_report_says_the_data_are_synthetic(centre):
    site = centre["outputs"] / "site"
    for page in ("index.html", "summary.html", "read/01_cohort.html", "glossary.html"):
        assert "SYNTHETIC DATA" in (site / page).read_text(encoding="utf-8"), page
    assert "my_cohort" in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_the_cohort_is_labelled_synthetic_everywhere(centre):
    cohort = centre["cohort"]
    package = json.loads((cohort / "datapackage.json").read_text())
    assert "SYNTHETIC" in package["title"] and "SYNTHETIC" in package["description"]
    assert "synthetic" in package["keywords"]
    assert "SYNTHETIC" in (cohort / "README.md").read_text()
    labelled = {"reading_note", "as_printed", "evidence"}
    for res in package["resources"]:
        table = pd.read_csv(cohort / res["path"], dtype=str, keep_default_na=False)
        for column in labelled & set(table.columns):
            assert table[column].str.contains("SYNTHETIC").all(), f"{res['path']}:{column} has an unlabelled row"
    # The same data dictionary as the compendium's patient tables, apart from the package's own
    # description and each table's (which tell how the paper's tables were transcribed), without
    # the reading notes of the paper's transcription.
    paper = json.loads((DATA_DIR / "datapackage.json").read_text())

    def schema_only(resources):
        kept = []
        for res in resources:
            fields = [{k: v for k, v in f.items() if k != "missing_meaning"} for f in res["schema"]["fields"]]
            kept.append(
                {**{k: v for k, v in res.items() if k != "description"}, "schema": {**res["schema"], "fields": fields}}
            )
        return kept

    expected = [res for res in paper["resources"] if res["name"] != "readings"]
    assert schema_only(package["resources"]) == schema_only(expected)


@pytest.mark.e2e
def test_nothing_of_the_paper_is_copied_into_the_cohort(centre):
    cohort = centre["cohort"]
    for name in ("claims.csv", "literature.csv", "readings.csv"):  # the paper's, and its transcription's notes
        assert not (cohort / name).exists()
    assert (centre["outputs"] / "claims_comparison.csv").is_file()  # notebook 07: a comparison,
    assert not (centre["outputs"] / "claims.csv").exists()  # not the paper's audit
    for name in ("table1_baseline.csv", "table4_medium_term.csv", "table5_trough.csv", "text_patient_facts.csv"):
        assert (cohort / name).read_bytes() != (DATA_DIR / name).read_bytes()


def test_the_committed_example_is_what_the_tool_writes(tmp_path):
    fresh = tmp_path / "synthetic_cohort"
    assert _tool(str(fresh)).returncode == 0
    committed = {p.relative_to(EXAMPLE).as_posix(): p.read_bytes() for p in sorted(EXAMPLE.rglob("*")) if p.is_file()}
    made = {p.relative_to(fresh).as_posix(): p.read_bytes() for p in sorted(fresh.rglob("*")) if p.is_file()}
    assert committed.keys() == made.keys()
    stale = [name for name in made if committed[name] != made[name]]
    assert not stale, (
        f"examples/synthetic_cohort is out of date ({stale}): run python tools/make_synthetic_cohort.py examples/synthetic_cohort"
    )


def test_the_tool_never_writes_into_the_paper_data(tmp_path):
    before = {p.name: p.read_bytes() for p in DATA_DIR.iterdir() if p.is_file()}
    refused = _tool(str(DATA_DIR))
    assert refused.returncode == 2 and "refusing" in refused.stderr
    assert {p.name: p.read_bytes() for p in DATA_DIR.iterdir() if p.is_file()} == before
    # Nor over a folder that holds other data.
    other = tmp_path / "other"
    shutil.copytree(DATA_DIR, other)
    refused = _tool(str(other))
    assert refused.returncode == 2 and "refusing to overwrite" in refused.stderr
    assert (other / "table1_baseline.csv").read_bytes() == (DATA_DIR / "table1_baseline.csv").read_bytes()


def test_the_tool_is_deterministic_and_sized_as_asked(tmp_path):
    for folder in ("a", "b"):
        assert _tool(str(tmp_path / folder), "--patients", "12", "--seed", "5").returncode == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    assert len(pd.read_csv(tmp_path / "a" / "table1_baseline.csv")) == 12
    assert main(["validate", str(tmp_path / "a")]) == 0
    for refused in ("0", "1000001"):
        assert _tool(str(tmp_path / "c"), "--patients", refused).returncode == 2
    assert _tool(str(tmp_path / "c"), "--groups", "CD,crohns").returncode == 2
    assert not (tmp_path / "c").exists()


def test_the_tool_makes_any_size_any_mix_and_string_ids(tmp_path):
    """One patient; one group alone; string codes in a shuffled order: each valid, each as asked."""
    assert _tool(str(tmp_path / "one"), "--patients", "1").returncode == 0
    assert len(pd.read_csv(tmp_path / "one" / "table1_baseline.csv")) == 1
    assert _tool(str(tmp_path / "uc"), "--patients", "30", "--groups", "UC").returncode == 0
    assert set(pd.read_csv(tmp_path / "uc" / "table1_baseline.csv")["analysis_group"]) == {"UC"}
    assert _tool(str(tmp_path / "codes"), "--patients", "40", "--ids", "SYN-", "--shuffle").returncode == 0
    ids = pd.read_csv(tmp_path / "codes" / "table1_baseline.csv", dtype=str)["patient_id"]
    assert ids.str.fullmatch(r"SYN-\d{6}").all() and ids.is_unique and list(ids) != sorted(ids)
    package = json.loads((tmp_path / "codes" / "datapackage.json").read_text())
    assert {
        f["type"] for res in package["resources"] for f in res["schema"]["fields"] if f["name"] == "patient_id"
    } == {"string"}
    for folder in ("one", "uc", "codes"):
        assert main(["validate", str(tmp_path / folder)]) == 0, folder


def test_the_tool_is_vectorized_and_plausible(tmp_path):
    """10,000 patients in one draw: the paper's group mix in expectation, troughs around 7 ng/mL."""
    assert _tool(str(tmp_path / "big"), "--patients", "10000", "--seed", "1").returncode == 0
    t1 = pd.read_csv(tmp_path / "big" / "table1_baseline.csv")
    shares = t1["analysis_group"].value_counts(normalize=True)
    assert (
        abs(shares["CD"] - 12 / 19) < 0.03
        and abs(shares["UC"] - 6 / 19) < 0.03
        and abs(shares["pouchitis"] - 1 / 19) < 0.02
    )
    t5 = pd.read_csv(tmp_path / "big" / "table5_trough.csv")
    t5 = t5[t5["in_table5"]]
    assert 6 < t5["mean_trough_ng_ml"].median() < 8.5
    assert (t5["trough_min_ng_ml"] <= t5["mean_trough_ng_ml"]).all() and (
        t5["mean_trough_ng_ml"] <= t5["trough_max_ng_ml"]
    ).all()
    t4 = pd.read_csv(tmp_path / "big" / "table4_medium_term.csv")
    assert set(t4["outcome_category"].dropna()) == {"remission", "mild", "severe"}
    assert main(["validate", str(tmp_path / "big")]) == 0


def test_the_tool_checks_its_arguments_before_touching_the_folder(tmp_path):
    """A bad argument on an existing synthetic folder: refused, and every file is still there."""
    cohort = tmp_path / "synthetic_cohort"
    shutil.copytree(EXAMPLE, cohort)
    before = {p.name: p.read_bytes() for p in cohort.iterdir()}
    refused = _run(str(TOOL), str(cohort), "--patients", "0")
    assert refused.returncode == 2 and "--patients must be" in refused.stderr
    assert {p.name: p.read_bytes() for p in cohort.iterdir()} == before


def test_the_tool_replaces_only_what_it_wrote(tmp_path):
    """Rerun on its own folder: a file the user added stays; a file the user changed is not
    overwritten (the run is refused, nothing written); the project and home are refused."""
    cohort = tmp_path / "synthetic_cohort"
    assert _tool(str(cohort)).returncode == 0
    (cohort / "my_notes.txt").write_text("mine")
    assert _tool(str(cohort), "--seed", "3").returncode == 0
    assert (cohort / "my_notes.txt").read_text() == "mine"
    (cohort / "README.md").write_text("edited by hand")
    before = {p.name: p.read_bytes() for p in cohort.iterdir()}
    refused = _tool(str(cohort))
    assert refused.returncode == 2 and "README.md" in refused.stderr and "move it away" in refused.stderr
    assert {p.name: p.read_bytes() for p in cohort.iterdir()} == before
    for folder in (ROOT, Path.home(), tmp_path / "synthetic_cohort" / "table1_baseline.csv"):
        assert _tool(str(folder)).returncode == 2


@pytest.mark.e2e
def test_the_pages_set_the_cohort_beside_the_paper_in_the_comparisons_words(centre):
    """Notebook 07's close, the claim notes, the slides, the journal-club page and the handout on another cohort."""
    import re

    from tacrolimus_ibd.report import content

    site = centre["outputs"] / "site"

    def text(page: str) -> str:
        import html

        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / page).read_text(encoding="utf-8"))))

    reader07 = text("read/07_claims_audit.html")
    assert "is not the paper's data, so nothing above is a verdict on the paper" in reader07
    assert "Where do this cohort's figures differ most" in reader07
    assert "Read with the tables and the notes above" not in reader07 and "Which of the discrepancies" not in reader07
    notes = " ".join(pd.read_csv(centre["outputs"] / "claims_comparison.csv", dtype=str)["note"].fillna(""))
    assert not any(w in notes for w in ("data give", "(discrepancy)", "(reproduced)", "all 19 patients"))
    for page in ("slides.html", "journal-club.html", "summary.html"):
        assert "Which of the discrepancies" not in text(page), page
        assert content.COMPARISON_QUESTION.split(":")[0] in text(page), page
    assert "transcribed by hand" not in text("summary.html")
    assert "Which verdicts matter" not in text("journal-club.html")
    # The report's own sentences about the paper's series are not said of this cohort.
    paper_only = {
        "index.html": ["re-derives, from the published tables"],
        "appraisal.html": ["The paper describes", "retrospective case series of", "concurrent thiopurines"],
        "summary.html": ["Retrospective case series from one centre"],
        "read/03_short_term_outcomes.html": ["Table 3 was lost"],
    }
    for page, phrases in paper_only.items():
        assert not [p for p in phrases if p in text(page)], page
    assert "synthetic" in text("appraisal.html").lower() and "This cohort" in text("summary.html")


def test_the_example_dictionary_does_not_describe_the_papers_transcription():
    """A fresh reviewer read the example's datapackage.json saying Table 3's values are all missing
    and which of the paper's patients a table leaves out: each table now says it is generated."""
    import json
    import re

    package = json.loads((EXAMPLE / "datapackage.json").read_text())
    for res in package["resources"]:
        assert res["description"].startswith("SYNTHETIC"), res["name"]
        assert "lost" not in res["description"] and not re.search(r"Patients? \d", res["description"])
        meanings = [f["missing_meaning"] for f in res["schema"]["fields"] if "missing_meaning" in f]
        assert all(m.startswith("SYNTHETIC") for m in meanings), res["name"]
