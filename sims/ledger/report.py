"""Writing the results of ``incidental verify``: report.md, claims.json and figures/<claim>.png.

Every file is written to a temporary name and renamed, so an interrupted run leaves no
half-written report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

from ..runs.output import atomic_text, pyplot, save_figure
from .core import Claim, Outcome

__all__ = ["claim_row", "write_report"]


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


def write_report(out: Path, claims: Sequence[Claim], rows: Sequence[dict], *, header: Mapping) -> Path:
    """Write ``out/report.md``, ``out/claims.json`` and one figure per claim with a ``plot``.

    Returns the report's path. ``header`` carries tier, seed, code version and run time.
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
    lines = [
        "# Claims ledger: incidental polysemanticity",
        "",
        f"{ok} of {len(rows)} claims came out as the ledger expects "
        f"(tier {header['tier']}, seed {header['seed']}, code {header['code']}, {header['seconds']:.1f} s).",
        "",
        "| claim | status | measured | predicted | tolerance | source | evidence | figure |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        status = r["status"] + ("" if r["as_expected"] else f" (expected {r['expected']})")
        fig = f"[png]({r['figure']})" if r["figure"] else ""
        cells = [f"`{r['id']}` {r['statement']}", f"**{status}**", f"{r['measured']:.4g}", f"{r['predicted']:.4g}",
                 r["tolerance"], r["source"], r["evidence"], fig]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    refuted = [r for r in rows if r["status"] == "refuted"]
    if refuted:
        lines += ["", "## Refuted claims and the laws that hold instead", ""]
        lines += [f"- `{r['id']}`: measured {r['measured']:.4g} against {r['predicted']:.4g} ({r['detail']}). "
                  f"{r['correction']}" for r in refuted]
    notes = [r for r in rows if r["detail"]]
    if notes:
        lines += ["", "## Details", ""] + [f"- `{r['id']}`: {r['detail']}" for r in notes]
    atomic_text(out / "report.md", "\n".join(lines) + "\n")
    return out / "report.md"
