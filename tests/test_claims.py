"""The claims ledger and its audit: every verdict pinned, and the helpers tested.

A change to data/ or lib/ that alters any claim's verdict fails test_every_verdict_is_pinned:
update EXPECTED_STATUS only when the change of verdict is intended and explained.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from tacrolimus_ibd import claims, data

from .conftest import DATA_DIR, ROOT

R, D, N = "reproduced", "discrepancy", "not_computable"

EXPECTED_STATUS = {
    "cohort-n": R,
    "cohort-sex": D,
    "cohort-age": R,
    "cohort-duration": R,
    "cohort-uc-extent": R,
    "cohort-cd-fistula": R,
    "tx-prev-aza": R,
    "tx-prev-6mp": D,
    "tx-prev-ifx": R,
    "tx-prev-ada": R,
    "tx-prev-adacolumn": R,
    "tx-conc-thiopurine": R,
    "tx-conc-thalidomide": R,
    "tx-conc-prednisolone": R,
    "cd-week4-response": R,
    "uc-week4-response": R,
    "pouch-week4-response": R,
    "cdai-week0": N,
    "cdai-week4": N,
    "cdai-reduction": N,
    "cd-stool-frequency": N,
    "cd-stool-improved": N,
    "pouch-stool-frequency": N,
    "pouch-mpdai": N,
    "uc-week4-remission": N,
    "cd-remission-end": R,
    "uc-remission-end": R,
    "trough-mean": D,
    "trough-target": N,
    "methods-initial-dose": R,
    "methods-monitoring-interval": N,
    "methods-cdai-remission": R,
    "methods-mpdai-definition": R,
    "methods-fistula-response-definition": N,
    "inclusion-immunomodulator-failure": D,
    "cd-fistula-perianal": D,
    "table1-previous-surgery": R,
    "table2-prev-methotrexate": R,
    "table2-prev-ciclosporin": R,
    "duration-median": R,
    "duration-mean-range": D,
    "abstract-stool-reduction": N,
    "cdai-week4-all": D,
    "cd-outcome-partition": R,
    "cd-relapse-count": D,
    "cd-early-stops": D,
    "cd-follow-up": N,
    "fistula-outcomes": R,
    "fistula-follow-up": N,
    "uc-follow-up": R,
    "uc-relapses": R,
    "uc-remission-tapering": D,
    "uc-steroid-dependent": D,
    "uc-p5-stop": D,
    "follow-up-overall": D,
    "ongoing-end": D,
    "ae-abstract": D,
    "ae-discontinued-abstract": R,
    "ae-discontinued-results": R,
    "ae-tolerated": R,
    "renal-creatinine": D,
    "renal-trough-high": R,
    "renal-trough-after": N,
    "disc-cd-benefit": R,
    "disc-uc-two-thirds": R,
    "disc-half-remission": D,
    "disc-steroid-tapering": D,
    "disc-trough-mean": D,
    "disc-fistula-duration": R,
    "intro-thiopurine": N,
    "intro-infliximab": N,
    "lit-fellermann-response": R,
    "lit-fellermann-remission": R,
    "lit-fellermann-colectomy": R,
    "lit-baumgart-response": R,
    "lit-baumgart-remission": R,
    "lit-baumgart-uc-cd": D,
    "lit-tac-vs-aza": D,
    "lit-ziring-colectomy": D,
    "lit-gonzalez-lama": R,
    "lit-lowry": R,
    "lit-sandborn": R,
    "lit-ogata-design": D,
    "lit-ogata-rates": R,
}


@pytest.fixture(scope="module")
def audit() -> pd.DataFrame:
    return claims.evaluate(DATA_DIR)


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return claims.load_ledger(DATA_DIR)


# --- verdicts ------------------------------------------------------------------------------


def test_every_verdict_is_pinned(audit):
    assert dict(zip(audit["claim_id"], audit["status"])) == EXPECTED_STATUS


def test_ledger_has_at_least_sixty_claims_and_no_pending(ledger):
    assert len(ledger) >= 60
    assert ledger["claim_id"].is_unique
    assert not ledger["not_computable_reason"].str.contains("pending", case=False).any()


def test_every_named_check_exists_and_every_check_is_used(ledger):
    named = set(ledger["check"]) - {""}
    assert named <= set(claims.CHECKS), sorted(named - set(claims.CHECKS))
    assert set(claims.CHECKS) <= named, sorted(set(claims.CHECKS) - named)


def test_each_claim_has_a_check_or_a_reason_not_both(ledger):
    has_check = ledger["check"] != ""
    has_reason = ledger["not_computable_reason"] != ""
    assert (has_check ^ has_reason).all()


def test_audit_columns_and_notes(audit):
    assert list(audit.columns) == claims.AUDIT_COLUMNS
    assert set(audit["status"]) <= set(claims.STATUSES)
    # every discrepancy and every not-computable claim says why
    assert (audit.loc[audit["status"] != "reproduced", "note"].str.len() > 0).all()


def test_quotes_are_the_papers_words(ledger, paper_text):
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("\u2013", "-").replace("\u2014", "-")).strip()

    paper = norm(paper_text)
    for claim in ledger.itertuples():
        for part in claim.quote.split(" ... "):
            assert norm(part) in paper, f"{claim.claim_id}: {part!r} is not in the paper"


def test_reported_reads_the_ledger():
    assert claims.reported("trough-mean", DATA_DIR) == {"mean": 6.6, "min": 1.0, "max": 17.4}
    assert claims.reported("cdai-reduction", DATA_DIR)["p"] == 0.002


# --- checks against values computed here, independently of the library ---------------------


def _rows(name: str) -> list[dict]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _computed(audit, claim_id: str) -> dict[str, str]:
    text = audit.set_index("claim_id").loc[claim_id, "computed"]
    return dict(part.split("=", 1) for part in re.sub(r" \(patients [^)]*\)", "", text).split("; "))


def test_trough_mean_is_the_mean_of_table5_means(audit):
    means = [float(r["mean_trough_ng_ml"]) for r in _rows("table5_trough") if r["mean_trough_ng_ml"]]
    assert len(means) == 14
    assert float(_computed(audit, "trough-mean")["mean"]) == pytest.approx(sum(means) / len(means), abs=5e-3)
    singles = [float(r["trough_max_ng_ml"]) for r in _rows("table5_trough") if r["trough_max_ng_ml"]]
    assert float(_computed(audit, "trough-mean")["max"]) == max(singles)


def test_ongoing_count_is_table5_yes(audit):
    yes = sum(r["ongoing_tacrolimus"] == "true" for r in _rows("table5_trough"))
    assert int(_computed(audit, "ongoing-end")["count_table5"]) == yes


def test_sex_counts_follow_table1(audit):
    males = sum(r["sex"] == "M" for r in _rows("table1_baseline"))
    assert int(_computed(audit, "cohort-sex")["male"]) == males


def test_cdai_p_values_depend_on_n_alone(audit):
    computed = _computed(audit, "cdai-reduction")
    # two-sided exact signed-rank / sign test with all n differences positive: 2 / 2**n
    assert float(computed["p_exact_n10"]) == pytest.approx(2 / 2**10, rel=5e-3)
    assert float(computed["p_exact_n12"]) == pytest.approx(2 / 2**12, rel=5e-3)


def test_a_changed_table_changes_the_verdict(data_copy):
    """Make Patient 1 male: Table 1 then gives the text's 7 male and 12 female."""
    path = data_copy / "table1_baseline.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["patient_id"] == "1", "sex"] = "M"
    frame.to_csv(path, index=False, lineterminator="\n")
    audit = claims.evaluate(data_copy).set_index("claim_id")
    assert audit.loc["cohort-sex", "status"] == "reproduced"


def test_unknown_check_is_an_error(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8").replace(",sex_counts,", ",no_such_check,")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeyError, match="no_such_check"):
        claims.evaluate(data_copy)


def test_check_and_reason_together_are_rejected(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8").replace(",sex_counts,", ",sex_counts,also a reason")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="exactly one"):
        claims.load_ledger(data_copy)


def test_validator_rejects_a_malformed_reported_value(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8").replace("male=7;female=12", "male=seven")
    path.write_text(text, encoding="utf-8")
    problems = data.validate_data_dir(data_copy)
    assert any("claims.csv" in p.file and p.column == "reported" for p in problems)


# --- helpers ---------------------------------------------------------------------------------


def test_parse_reported_keeps_printed_decimals():
    values = claims.parse_reported("mean=6.6;min=1.0;max=17;p=0.002")
    assert values == {"mean": 6.6, "min": 1.0, "max": 17.0, "p": 0.002}
    assert values.decimals == {"mean": 1, "min": 1, "max": 0, "p": 3}


@pytest.mark.parametrize("text", ["mean", "mean=", "mean=abc", "=3", "mean=3;mean=4", "mean=1e3", "9x=1"])
def test_parse_reported_rejects_malformed_text(text):
    with pytest.raises(ValueError):
        claims.parse_reported(text)


@pytest.mark.parametrize(
    "text, decimals",
    [("35", 0), ("1.0", 1), ("10.8", 1), ("0.002", 3), ("-4.25", 2)],
)
def test_printed_decimals(text, decimals):
    assert claims.printed_decimals(text) == decimals


@pytest.mark.parametrize(
    "computed, reported, decimals, expected",
    [
        (35.3157, 35, 0, True),  # a mean printed as 35
        (10.7895, 10.8, 1, True),
        (10.74, 10.8, 1, False),
        (34.5, 35, 0, True),  # half up
        (35.5, 35, 0, False),
        (0.35, 0.4, 1, True),  # 0.35 as printed, not its binary value 0.34999...
        (0.001953125, 0.002, 3, True),
        (0.00048828125, 0.002, 3, False),
        (100 * 5 / 12, 42, 0, True),
        (100 * 13 / 19, 68, 0, True),
        (7.714, 6.6, 1, False),
        (float("nan"), 1, 0, False),
    ],
)
def test_agrees_at_precision(computed, reported, decimals, expected):
    assert claims.agrees_at_precision(computed, reported, decimals) is expected


def test_precision_interval():
    low, high = claims.precision_interval(6.6, 1)
    assert (low, high) == pytest.approx((6.55, 6.65))


def test_attainable_numerators():
    assert claims.attainable_numerators(68.4, 1, 20) == []
    assert claims.attainable_numerators(68.4, 1, 19) == [13]
    assert claims.attainable_numerators(38.1, 1, 21) == [8]
    assert claims.attainable_numerators(73.6, 1, 19) == []  # 14/19 = 73.68


def test_mean_bounds():
    known = pd.Series([6.0, 8.0])
    assert claims._mean_bounds(known, pd.Series([], dtype=float)) == (7.0, 7.0)
    low, high = claims._mean_bounds(known, pd.Series([1.0, float("nan")]))
    assert low == pytest.approx(15 / 4) and high == float("inf")


# --- writing the audit, and the README block -------------------------------------------------


def test_write_audit_is_deterministic(audit, tmp_path):
    assert claims.write_audit(audit, None) is None
    first = claims.write_audit(audit, tmp_path / "a")
    second = claims.write_audit(claims.evaluate(DATA_DIR), tmp_path / "b")
    assert first == tmp_path / "a" / "claims.csv"
    assert first.read_bytes() == second.read_bytes()
    raw = first.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    back = pd.read_csv(first, dtype=str, keep_default_na=False)
    assert list(back.columns) == claims.AUDIT_COLUMNS
    assert len(back) == len(audit)


def test_readme_summary_counts(audit):
    summary = claims.readme_summary(audit)
    counts = audit["status"].value_counts()
    for status in claims.STATUSES:
        assert f"| {status.replace('_', ' ')} | {counts.get(status, 0)} |" in summary
    assert f"| **total** | **{len(audit)}** |" in summary
    assert "Generated by" in summary


def test_readme_block_is_current(audit):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert claims.readme_block(readme) == claims.readme_summary(audit), "run claims.update_readme('README.md')"


def test_update_readme_rewrites_only_the_block(tmp_path, audit):
    path = tmp_path / "README.md"
    start, end = claims.README_MARKERS
    path.write_text(f"# Title\n\nbefore\n{start}\nstale\n{end}\nafter\n", encoding="utf-8")
    assert claims.update_readme(path, DATA_DIR) is True
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nbefore\n") and text.endswith(f"{end}\nafter\n")
    assert claims.readme_block(text) == claims.readme_summary(audit)
    assert claims.update_readme(path, DATA_DIR) is False  # idempotent


def test_update_readme_needs_the_markers(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="claims-summary"):
        claims.update_readme(path, DATA_DIR)


def test_beside_reported_pairs_data_with_the_ledger():
    table = claims.beside_reported(
        [("male patients", 6, "cohort-sex", "male"), ("a key the claim lacks", 1, "cohort-sex", "nonexistent")]
    )
    assert list(table.columns) == ["quantity", "data", "reported", "claim"]
    assert table.loc[0, "reported"] == claims.reported("cohort-sex")["male"]
    assert table.loc[0, "data"] == 6
    assert table["reported"].isna().tolist() == [False, True]
