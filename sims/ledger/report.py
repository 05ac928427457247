"""Writing the results of ``incidental verify``: report.md, claims.json and figures/<claim>.png.

The report opens with a summary (one short line per claim, grouped by topic, refuted claims first) and
then gives each claim's full text in its own evidence section, which the summary links to.

Every file is written to a temporary name and renamed, so an interrupted run leaves no
half-written report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..runs.output import atomic_text, pyplot, save_figure
from .core import Claim, Outcome

__all__ = ["claim_row", "write_report"]

CLAUSE_CHARS = 90  # the summary's statement clause is at most this many characters (and '…')
_MIN_CLAUSE = 20  # a first clause shorter than this is too short to stand alone
_OPEN, _CLOSE = "([{⟨", ")]}⟩"
_DANGLING = frozenset(["a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "its", "of", "on", "or",
                       "than", "that", "the", "to", "with"])


def claim_row(c: Claim, o: Outcome, seconds: float) -> dict:
    """One JSON-ready record of a claim and its outcome."""
    return {"id": c.id, "statement": c.statement, "source": c.source, "prediction": c.prediction,
            "evidence": c.evidence, "test": c.test, "tier": c.tier, "expected": c.expected,
            "status": o.status, "as_expected": o.status == c.expected, "measured": o.measured,
            "predicted": o.predicted, "tolerance": o.tolerance, "detail": o.detail,
            "correction": c.correction, "seconds": round(seconds, 3), "data": dict(o.data)}


def _figure(c: Claim, data: Mapping, path: Path) -> bool:
    try:
        plt = pyplot()
    except ValueError:
        return False
    fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
    c.plot(data, ax)
    ax.set_title(c.id, fontsize=10)
    save_figure(fig, path)
    return True


def _topic(claim_id: str) -> str:
    """The claim id's prefix before the first '.' (the whole id when it has none)."""
    return claim_id.split(".", 1)[0]


def _grouped(rows: Sequence[dict]) -> dict[str, list[dict]]:
    """Rows by topic, topics in order of first appearance; refuted rows first within a topic, else ledger order."""
    topics: dict[str, list[dict]] = {}
    for r in rows:
        topics.setdefault(_topic(r["id"]), []).append(r)
    return {t: sorted(rs, key=lambda r: r["status"] != "refuted") for t, rs in topics.items()}  # sort is stable


def _top_level(text: str):
    """(index, character, depth) for each character of ``text``, depth counting open brackets before it."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _CLOSE:
            depth = max(depth - 1, 0)
        yield i, ch, depth
        if ch in _OPEN:
            depth += 1


def _drop_asides(text: str) -> str:
    """``text`` without its top-level parenthetical asides " (…)" (brackets right after a word stay: f(x))."""
    keep, skip_to = [], -1
    for i, ch, depth in _top_level(text):
        if i <= skip_to:
            continue
        if ch == "(" and depth == 0 and i > 0 and text[i - 1] == " ":
            close = next((j for j, c, d in _top_level(text) if j > i and c == ")" and d == 0), None)
            if close is not None:
                keep.pop()  # the space before the aside
                skip_to = close
                continue
        keep.append(ch)
    return "".join(keep)


def _clause(statement: str, limit: int = CLAUSE_CHARS) -> str:
    """The statement whole when it fits in ``limit`` characters; else without its parenthetical asides, and cut
    at its first top-level ':', ';' or '. ' (past a few words) or at a word within ``limit`` (dropping a dangling
    'of', 'the', …); ending with '…' whenever anything was left out."""
    text = " ".join(statement.split())
    if len(text) <= limit:
        return text
    short = _drop_asides(text)
    if len(short) > limit:
        ends = (i for i, ch, depth in _top_level(short)
                if depth == 0 and (ch in ":;" or short.startswith(". ", i)) and i >= _MIN_CLAUSE)
        end = next(ends, len(short))
        if end <= limit:
            short = short[:end]
        else:
            spaces = [i for i, ch, depth in _top_level(short[:limit + 1]) if ch == " " and depth == 0]
            end = max(spaces, default=short.rfind(" ", 0, limit + 1))  # a word outside brackets if possible
            short = short[:end] if end >= _MIN_CLAUSE else short[:limit]
            words = short.split(" ")
            while len(words) > 1 and words[-1].lower() in _DANGLING and len(" ".join(words[:-1])) >= _MIN_CLAUSE:
                words.pop()
            short = " ".join(words)
    return short.rstrip(" ,;:.—–-") + "…"


def _status(r: Mapping) -> str:
    """The status, flagged with the expected one when they differ."""
    if r["status"] == r["expected"]:
        return r["status"]
    return f"**unexpected**: {r['status']} (expected {r['expected']})"


class _Anchors:
    """GitHub-style heading anchors (lower case, punctuation dropped, spaces to '-'), numbered when repeated."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str:
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = self.seen.get(slug, 0)
        self.seen[slug] = n + 1
        return slug if n == 0 else f"{slug}-{n}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def _summary_line(r: Mapping, anchor: str) -> str:
    cells = [f"[{r['id']}](#{anchor})", _status(r), f"{r['measured']:.4g}", f"{r['predicted']:.4g}",
             _clause(r["statement"])]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _evidence_section(r: Mapping) -> list[str]:
    lines = [f"### {r['id']}", "", r["statement"], "",
             f"- **status:** {_status(r)}; tier {r['tier']}",
             (f"- **measured** {r['measured']:.4g} against **predicted** {r['predicted']:.4g}; "
              f"**tolerance:** {r['tolerance']}"),
             f"- **source:** {r['source']}",
             f"- **prediction:** {r['prediction']}",
             f"- **evidence:** {r['evidence']}"]
    if r["detail"]:
        lines.append(f"- **detail:** {r['detail']}")
    if r["correction"]:
        lines.append(f"- **correction:** {r['correction']}")
    lines += [f"- **test:** `{r['test']}`", f"- **seconds:** {r['seconds']:g}"]
    if r.get("figure"):
        lines.append(f"- **figure:** [png]({r['figure']})")
    return lines + [""]


def write_report(out: Path, claims: Sequence[Claim], rows: Sequence[dict], *, header: Mapping) -> Path:
    """The path of ``out/report.md``, written with ``out/claims.json`` and one figure per claim with a ``plot``.

    ``rows`` are ``claim_row`` records in the ledger's order, one per claim of ``claims``; each gains a
    ``figure`` key (the figure's path relative to ``out``, or None). ``header`` carries tier, seed, code
    version and run time. The report gives a summary, one line per claim grouped by topic (the id's prefix
    before the first '.') with refuted claims first, then an evidence section per claim with its full text.

    Examples
    --------
    >>> import tempfile
    >>> from sims.ledger import Claim, Outcome
    >>> c = Claim(id="demo.unit", statement="One equals one: trivially", source="here", prediction="1",
    ...           evidence="arithmetic", test="tests/x.py::t", tier="quick", check=lambda rng: None)
    >>> o = Outcome(status="confirmed", measured=1.0, predicted=1.0, tolerance="exact")
    >>> header = {"tier": "quick", "seed": 0, "code": "dev", "seconds": 0.1}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     text = write_report(Path(d), [c], [claim_row(c, o, 0.01)], header=header).read_text()
    >>> print(*[line for line in text.splitlines() if line.startswith("| [")], sep="\\n")
    | [demo.unit](#demounit) | confirmed | 1 | 1 | One equals one: trivially |
    """
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    figures = {}
    for c, row in zip(claims, rows):
        if c.plot is not None:
            path = out / "figures" / f"{c.id}.png"
            if _figure(c, row["data"], path):
                figures[c.id] = path.relative_to(out).as_posix()
    for row in rows:
        row["figure"] = figures.get(row["id"])
    atomic_text(out / "claims.json", json.dumps({**header, "claims": list(rows)}, indent=2) + "\n")

    ok = sum(r["as_expected"] for r in rows)
    title = "Claims ledger: incidental polysemanticity"
    anchor = _Anchors()
    anchor(title)
    lines = [
        f"# {title}",
        "",
        (f"{ok} of {len(rows)} claims came out as the ledger expects "
         f"(tier {header['tier']}, seed {header['seed']}, code {header['code']}, {header['seconds']:.1f} s)."),
        "",
        "## Summary",
        "",
    ]
    anchor("Summary")
    groups = _grouped(rows)
    topic_lines = {t: [f"### {t}", "", "| claim | status | measured | predicted | statement |",
                       "|---|---|---|---|---|"] for t in groups}
    for t in groups:
        anchor(t)
    anchor("Evidence")
    evidence = ["## Evidence", ""]
    for t, rs in groups.items():
        for r in rs:
            topic_lines[t].append(_summary_line(r, anchor(r["id"])))
            evidence += _evidence_section(r)
    for t in groups:
        lines += topic_lines[t] + [""]
    lines += evidence
    atomic_text(out / "report.md", "\n".join(lines).rstrip("\n") + "\n")
    return out / "report.md"
