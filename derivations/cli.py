"""Command line of the derivations: ``python -m derivations`` and ``incidental derive``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sympy as sp

from ._core import REGISTRY, Check, Derivation

__all__ = ["main", "run_checks", "write_latex"]


def _selected(names) -> list[Derivation]:
    if not names:
        return list(REGISTRY.values())
    chosen = []
    for name in names:
        hits = [d for d in REGISTRY.values() if d.name == name or d.name.startswith(name + ".")]
        if not hits:
            raise ValueError(f"unknown derivation {name!r}; known: {', '.join(REGISTRY)}")
        chosen += [d for d in hits if d not in chosen]
    return chosen


def run_checks(names=None, *, verbose: bool = True, show: bool = False) -> dict[str, Check]:
    """Run the checks of the named derivations (all by default), printing one line each."""
    results = {}
    for d in _selected(names):
        t0 = time.perf_counter()
        c = d.check()
        results[d.name] = c
        if verbose:
            print(f"{'ok  ' if c.passed else 'FAIL'} {d.name:<28} {c.method}: {c.detail} "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
            if show:
                for label, expr in d.derive().items():
                    if isinstance(expr, sp.Basic):
                        print(f"     {label}: {sp.sstr(expr)}")
    return results


def _tex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("^", r"\^{}"), ("{", r"\{"), ("}", r"\}"), ("$", r"\$")):
        text = text.replace(a, b)
    return text


def write_latex(path, names=None, checks: dict[str, Check] | None = None) -> Path:
    """Typeset the named derivations (results, prose and check outcome) as a LaTeX document."""
    path = Path(path)
    parts = [r"\documentclass{article}", r"\usepackage{amsmath,amssymb}", r"\allowdisplaybreaks",
             r"\title{Incidental polysemanticity: derivations}", r"\begin{document}", r"\maketitle"]
    for d in _selected(names):
        parts.append(rf"\section{{{_tex_escape(d.title)}}}")
        parts.append(rf"\noindent\texttt{{{_tex_escape(d.name)}}} --- {_tex_escape(d.source)}.\par")
        if d.text:
            parts.append(_tex_escape(d.text) + r"\par")
        for label, expr in d.derive().items():
            if isinstance(expr, sp.Basic):
                parts.append(rf"\paragraph{{{_tex_escape(label)}}}")
                parts.append(r"\begin{equation*}" + "\n" + sp.latex(expr) + "\n" + r"\end{equation*}")
        if checks and d.name in checks:
            c = checks[d.name]
            parts.append(rf"\noindent Check ({_tex_escape(c.method)}): "
                         rf"{'passed' if c.passed else 'FAILED'}, {_tex_escape(c.detail)}.\par")
    parts.append(r"\end{document}")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(parts) + "\n")
    os.replace(tmp, path)
    return path


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit code 2
        raise ValueError(message)


def main(argv=None, *, prog: str = "python -m derivations") -> int:
    """Show and check derivations; exit 1 if a check fails, 2 on bad input."""
    p = _Parser(prog=prog, description="Re-derive and check the theory's equations.")
    p.add_argument("names", nargs="*", metavar="NAME", help="derivations or topics (default: all)")
    p.add_argument("--check", action="store_true", help="only run the checks (do not print results)")
    p.add_argument("--latex", metavar="FILE", type=Path, help="also write a LaTeX document")
    p.add_argument("--list", action="store_true", help="list the derivations and exit")
    try:
        args = p.parse_args(argv)
        if args.list:
            for d in _selected(args.names):
                print(f"{d.name:<28} {d.title} ({d.source})")
            return 0
        checks = run_checks(args.names, show=not args.check)
        if args.latex:
            write_latex(args.latex, args.names, checks)
            print(f"wrote {args.latex}")
    except (ValueError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    failed = [name for name, c in checks.items() if not c.passed]
    print(f"{len(checks) - len(failed)} of {len(checks)} checks passed" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0
