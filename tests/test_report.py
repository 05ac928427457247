"""The report of ``incidental verify`` (sims.ledger.report): a summary, one short line per claim grouped by
topic with refuted claims first, then each claim's full text in its own evidence section; claims.json as before."""

import json
import re

import pytest

from sims.ledger import Claim, Outcome
from sims.ledger.report import _clause, claim_row, write_report

HEADER = {"tier": "quick", "seed": 3, "code": "abc123", "seconds": 12.34}
LONG = ("Under the paper's recipe (lr 1e-3, λ = 1e-3, 7500 steps) opposite-sign features share a neuron as often "
        "as independent placement predicts, |W_ik(0)| being the initial weight, across every width tried here "
        "and at every sparsity of the inputs that the sweep covered, with no exception found in any of the "
        "seeds, the widths or the learning rates, whatever the optimiser's other settings were")
ROW_KEYS = {"id", "statement", "source", "prediction", "evidence", "test", "tier", "expected", "status",
            "as_expected", "measured", "predicted", "tolerance", "detail", "correction", "seconds", "data", "figure"}


def make(cid, status, *, expected="confirmed", statement=None, correction="", plot=None, detail=""):
    c = Claim(id=cid, statement=statement or f"The statement of {cid}", source=f"paper §{cid}",
              prediction=f"prediction text of {cid}", evidence=f"the full evidence route of {cid}, spelt out at length",
              test=f"tests/test_x.py::test_{cid.replace('.', '_')}", tier="quick", check=lambda rng: None,
              expected=expected, correction=correction, plot=plot)
    o = Outcome(status=status, measured=1.234567, predicted=1.0, tolerance=f"|m − p| ≤ 0.1 for {cid}",
                detail=detail, data={"x": [0, 1], "y": [1, 0]})
    return c, o


def draw(data, ax):
    ax.plot(data["x"], data["y"])


# input (ledger) order: a confirmed claim of each topic before that topic's refuted one
PAIRS = [make("zeta.ok", "confirmed", plot=draw),
         make("alpha.ok", "confirmed", statement=LONG),
         make("zeta.bad", "refuted", expected="refuted", correction="the law that holds instead: rho(n)",
              detail="measured 0.7 on 4 seeds"),
         make("alpha.surprise", "refuted",  # refuted although the ledger expects it confirmed
              statement="Each feature ends on its initial argmax neuron argmax_k |W_ik(0)|")]
GROUPED = ["zeta.bad", "zeta.ok", "alpha.surprise", "alpha.ok"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep")
    claims = [c for c, _ in PAIRS]
    rows = [claim_row(c, o, 0.5) for c, o in PAIRS]
    text = write_report(out, claims, rows, header=HEADER).read_text()
    summary, evidence = text.split("\n## Summary\n")[1].split("\n## Evidence\n")
    return {"out": out, "text": text, "summary": summary, "evidence": evidence}


def summary_rows(summary):
    return [line for line in summary.splitlines() if line.startswith("| [")]


def evidence_sections(evidence):
    parts = re.split(r"^### (.+)$", evidence, flags=re.MULTILINE)[1:]
    return dict(zip(parts[::2], parts[1::2]))


def test_report_opens_with_title_and_the_count_of_claims_as_expected(report):
    lines = report["text"].splitlines()
    assert lines[0] == "# Claims ledger: incidental polysemanticity"
    assert "3 of 4 claims came out as the ledger expects (tier quick, seed 3, code abc123, 12.3 s)." in lines[:4]


def test_summary_groups_by_topic_in_order_of_appearance_with_refuted_first(report):
    summary = report["summary"]
    assert [line[4:] for line in summary.splitlines() if line.startswith("### ")] == ["zeta", "alpha"]
    ids = [re.match(r"\| \[([^\]]+)\]", line).group(1) for line in summary_rows(summary)]
    assert ids == GROUPED
    zeta, alpha = summary.split("### alpha")  # topics in order of first appearance, not alphabetical
    assert [i for i in GROUPED if f"[{i}]" in zeta] == ["zeta.bad", "zeta.ok"]
    assert [i for i in GROUPED if f"[{i}]" in alpha] == ["alpha.surprise", "alpha.ok"]


def test_summary_has_one_short_line_per_claim(report):
    summary = report["summary"]
    for cid in GROUPED:
        assert sum(f"[{cid}](" in line for line in summary.splitlines()) == 1, cid
    rows = summary_rows(summary)
    assert len(rows) == 4
    assert all(len(line) < 250 for line in rows), [len(line) for line in rows]
    assert all(line.replace("\\|", "").count("|") == 6 for line in rows)  # 5 cells, the statement's '|' escaped
    long_row = next(line for line in rows if "[alpha.ok]" in line)
    assert LONG not in long_row and long_row.endswith("… |")
    assert "| 1.235 | 1 |" in long_row  # measured and predicted at 4 significant digits


def test_summary_links_to_the_evidence_sections(report):
    anchors = [re.search(r"\]\(#([^)]+)\)", line).group(1) for line in summary_rows(report["summary"])]
    assert anchors == ["zetabad", "zetaok", "alphasurprise", "alphaok"]  # GitHub's anchors of "### <id>"


def test_unexpected_status_is_flagged_only_where_it_differs(report):
    rows = {re.match(r"\| \[([^\]]+)\]", line).group(1): line for line in summary_rows(report["summary"])}
    assert "**unexpected**: refuted (expected confirmed)" in rows["alpha.surprise"]
    assert [cid for cid, line in rows.items() if "(expected" in line or "unexpected" in line] == ["alpha.surprise"]
    assert "| refuted |" in rows["zeta.bad"]  # refuted as the ledger expects: no flag
    assert "(expected confirmed)" in evidence_sections(report["evidence"])["alpha.surprise"]


def test_each_claim_has_an_evidence_section_with_its_full_text(report):
    sections = evidence_sections(report["evidence"])
    assert list(sections) == GROUPED
    for c, o in PAIRS:
        body = sections[c.id]
        for text in (c.statement, c.source, c.prediction, c.evidence, c.test, o.tolerance):
            assert text in body, (c.id, text)
        assert "1.235" in body and "**predicted** 1" in body and "0.5" in body
    assert "measured 0.7 on 4 seeds" in sections["zeta.bad"]
    assert "the law that holds instead: rho(n)" in sections["zeta.bad"]
    assert "correction" not in sections["zeta.ok"] and "detail" not in sections["zeta.ok"]


def test_figure_is_linked_from_its_claims_evidence_section(report):
    pytest.importorskip("matplotlib")
    sections = evidence_sections(report["evidence"])
    assert "[png](figures/zeta.ok.png)" in sections["zeta.ok"]
    assert (report["out"] / "figures" / "zeta.ok.png").read_bytes()[:4] == b"\x89PNG"
    assert [cid for cid, body in sections.items() if "[png](" in body] == ["zeta.ok"]


def test_claims_json_keeps_its_keys_and_the_ledger_order(report):
    data = json.loads((report["out"] / "claims.json").read_text())
    assert set(data) == {*HEADER, "claims"} and all(data[k] == v for k, v in HEADER.items())
    assert [c["id"] for c in data["claims"]] == [c.id for c, _ in PAIRS]
    assert all(set(c) == ROW_KEYS for c in data["claims"])
    assert not list(report["out"].rglob(".*tmp*"))


@pytest.mark.parametrize("statement,clause", [
    ("Short and whole: kept as it is", "Short and whole: kept as it is"),
    ("A statement long enough to need cutting: after the colon comes a great deal more text than fits in it",
     "A statement long enough to need cutting…"),
    (("Under the recipe (lr 1e-3, 7500 steps, with a long aside inside) features share neurons as often as "
      "predicted by placement"), "Under the recipe features share neurons as often as predicted by placement…"),
    (("Letting the two weights of a ± shared pair differ lowers its cost below Δ(p) by p²·u[(1 − 2u)² + "
      "(3 − 2u)²]/(2(3u − 1)) + O(p³), u = w*²"),
     "Letting the two weights of a ± shared pair differ lowers its cost below Δ(p)…"),  # not inside brackets
], ids=["short", "colon", "aside", "brackets"])
def test_clause_of_a_statement(statement, clause):
    assert _clause(statement) == clause
    assert len(_clause(statement)) <= 91
