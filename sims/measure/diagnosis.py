"""Diagnosing incidental polysemanticity from trained weights.

Row i of W ∈ R^{n×m} is feature i's encoding, column k is neuron k (tied weights, output ReLU(WWᵀx)).
A *feature* is a row with max_k |W_ik| > tol; its neuron is its dominant one, argmax_k |W_ik|. A
neuron is *polysemantic* when it is the dominant neuron of ≥ 2 features, and *free* when its column has
max_i |W_ik| ≤ tol. A *move* takes feature i off its polysemantic neuron k onto a free neuron k′,

    W_ik′ ← W_ik,   W_ik ← 0          (the rest of W unchanged),

and each polysemantic neuron gets one label, from its best move (the one of lowest loss):

* ``"same-sign"``: two of its features share a sign, so ReLU(G_ij)² > 0 (never at a minimum, §2.1);
* ``"incidental"``: a free neuron exists and the best move gives L_after ≤ L_before + ε;
* ``"necessary"``: no free neuron, or every move raises the loss by more than ε;

with ε = ``LOSS_RTOL``·max(1, |L_before|) = 1e-12·max(1, |L_before|), a round-off allowance: loss
differences between W and a moved W are sums of O(n²) terms of size ≤ O(1). At p = 0 an
opposite-sign pair costs nothing (ReLU(−w²) = 0), so its move keeps the loss equal, which is
incidental by the definition "keeps or lowers"; at p > 0 the move lowers it by about
Δ(p) = 2p[1 − (1 − w²)²] (``theory.cooccurrence.shared_pair_cost``).

The loss L is the one-hot loss Σ_i(1 − ‖W_i‖²)² + Σ_{i≠j}ReLU(G_ij)² + λ‖W‖₁ (``theory.loss.loss``) at
p = 0 and the exact L_p = (1/p)E_x‖ReLU(Gx) − x‖² + λ‖W‖₁ (``theory.cooccurrence.expected_loss_exact``)
at p > 0, falling back to its first-order expansion L_0 + pL_1 + λ‖W‖₁ (``first_order_loss``) when an
output is touched by more than ``theory.cooccurrence.MAX_SUPPORT`` features and exact enumeration is
refused; one objective is used for all the comparisons of a diagnosis (recorded as ``objective``).
Losses are dimensionless (summed squared error per active feature); λ is λ_code.

Weights not at an exact minimum (AdamW leaves residual entries of ~1e-4 below ``tol``) make a move's ΔL
pick up residual terms: at p = 0 a ± pair's move then lowers the loss by ~1e-7 although sharing costs
nothing, so "strictly better" there reflects the residuals; compare |ΔL| with Δ(p) (≈ 2p at w* ≈ 1).

Free columns that are exactly zero are interchangeable targets (L depends on W only through G = WWᵀ
and ‖W‖₁), so one of them stands for all; free columns with small nonzero entries are each tried.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import validate
from theory import cooccurrence as _cooccurrence
from theory.cooccurrence import expected_loss_exact, first_order_loss
from theory.loss import gram, loss

__all__ = ["LABELS", "LOSS_RTOL", "NeuronDiagnosis", "RepairResult", "diagnose", "one_move_from_better", "repair"]

#: The labels of a polysemantic neuron.
LABELS = ("incidental", "necessary", "same-sign")

#: Relative round-off allowance ε/max(1, |L|) for "a move keeps the loss".
LOSS_RTOL = 1e-12

_CHUNK = 32  # candidates per loss evaluation (first_order_loss holds O(n³) floats per candidate)


# ---------------------------------------------------------------------------------------------- inputs


def _inputs(W, l1, p, tol) -> tuple[np.ndarray, float, float, float]:
    try:
        A = np.array(W, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"W must be a finite real 2-d array of shape (n, m), got {W!r}") from None
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"W must be a finite real 2-d array of shape (n, m) with n, m >= 1, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("W must be a finite real 2-d array of shape (n, m); it contains NaN or inf")
    return (A, validate.real("l1", l1, minimum=0.0), validate.real("p", p, minimum=0.0, maximum=1.0),
            validate.real("tol", tol, minimum=0.0))


# ------------------------------------------------------------------------------------------- objective


class _SupportExceeded(Exception):
    """The fixed objective "exact" was asked for a W that exact enumeration refuses."""


def _exact_refused(Ws: np.ndarray) -> bool:
    """True if some output j of some W in the stack is touched by more than MAX_SUPPORT features
    (j itself and the i ≠ j with G_ij ≠ 0), the condition on which ``expected_loss_exact`` refuses."""
    G = gram(Ws)
    touching = np.count_nonzero(G, axis=-2) - (np.diagonal(G, axis1=-2, axis2=-1) != 0) + 1
    return bool(touching.max() > _cooccurrence.MAX_SUPPORT)


def _choose(Ws: np.ndarray, p: float) -> str:
    if p == 0:
        return "one-hot"
    return "first-order" if _exact_refused(Ws) else "exact"


def _evaluate(Ws: np.ndarray, *, l1: float, p: float, objective: str) -> np.ndarray:
    """The objective's loss for each W of the stack Ws (K, n, m), in chunks of ``_CHUNK``."""
    out = np.empty(Ws.shape[0])
    for a in range(0, Ws.shape[0], _CHUNK):
        chunk = Ws[a:a + _CHUNK]
        if objective == "one-hot":
            out[a:a + _CHUNK] = loss(chunk, l1=l1)
        elif objective == "exact":
            out[a:a + _CHUNK] = expected_loss_exact(chunk, p, l1=l1)
        else:
            out[a:a + _CHUNK] = first_order_loss(chunk, p, l1=l1)
    return out


def _tolerance(L: float) -> float:
    return LOSS_RTOL * max(1.0, abs(L))


# ------------------------------------------------------------------------------------------- diagnosis


@dataclass(frozen=True, kw_only=True)
class NeuronDiagnosis:
    """The label of one polysemantic neuron and its evidence.

    ``features`` are the features whose dominant neuron is ``neuron``, with ``signs`` (±1) and
    ``weights`` W_ik there. ``move`` is the best move (feature, free target neuron), None when no
    free neuron exists; ``loss_after`` is the loss after it (None likewise) and ``loss_before`` the
    loss of W, both in the units of ``objective`` ("one-hot", "exact" or "first-order").

    Examples
    --------
    >>> from sims.measure.diagnosis import NeuronDiagnosis
    >>> d = NeuronDiagnosis(neuron=0, features=(0, 1), signs=(1, -1), weights=(0.99, -0.99), label="incidental",
    ...                     move=(0, 2), loss_before=0.4, loss_after=0.3, evidence="a ± pair", objective="exact")
    >>> round(d.change, 4), d.strictly_better
    (-0.1, True)
    """

    neuron: int
    features: tuple[int, ...]
    signs: tuple[int, ...]
    weights: tuple[float, ...]
    label: str
    move: tuple[int, int] | None
    loss_before: float
    loss_after: float | None
    evidence: str
    objective: str

    @property
    def change(self) -> float | None:
        """L_after − L_before of the best move (negative: the move lowers the loss), None without a move."""
        return None if self.loss_after is None else self.loss_after - self.loss_before

    @property
    def strictly_better(self) -> bool:
        """The best move lowers the loss by more than round-off: L_after < L_before − ε."""
        return self.loss_after is not None and self.loss_after < self.loss_before - _tolerance(self.loss_before)


def _targets(W: np.ndarray, tol: float) -> tuple[list[int], int]:
    """(target neurons to try, number of free neurons): the free columns with a nonzero entry, and the
    first all-zero column standing for all the all-zero ones."""
    free = np.flatnonzero(np.abs(W).max(axis=0) <= tol)
    zero = [int(k) for k in free if not np.any(W[:, k])]
    return sorted([int(k) for k in free if np.any(W[:, k])] + zero[:1]), int(free.size)


def _polysemantic(W: np.ndarray, tol: float) -> dict[int, list[int]]:
    """Neuron → its features (rows with max |W_i| > tol dominant there), for neurons with ≥ 2."""
    a = np.abs(W)
    feats = np.flatnonzero(a.max(axis=1) > tol)
    dom = np.argmax(a, axis=1)
    on: dict[int, list[int]] = {}
    for i in feats:
        on.setdefault(int(dom[i]), []).append(int(i))
    return {k: v for k, v in sorted(on.items()) if len(v) >= 2}


def _moved(W: np.ndarray, i: int, k: int, target: int) -> np.ndarray:
    V = W.copy()
    V[i, target] = W[i, k]
    V[i, k] = 0.0
    return V


def _describe(W: np.ndarray, k: int, feats: list[int]) -> str:
    return ", ".join(f"{i}({W[i, k]:+.4g})" for i in feats)


def _diagnose(W: np.ndarray, l1: float, p: float, tol: float, objective: str | None) -> list[NeuronDiagnosis]:
    poly = _polysemantic(W, tol)
    targets, n_free = _targets(W, tol)
    moves = [(k, i, t) for k, feats in poly.items() for i in feats for t in targets]
    stack = np.stack([W] + [_moved(W, i, k, t) for k, i, t in moves])
    if objective is None:
        objective = _choose(stack, p)
    elif objective == "exact" and _exact_refused(stack):
        raise _SupportExceeded
    values = _evaluate(stack, l1=l1, p=p, objective=objective)
    L = float(values[0])
    eps = _tolerance(L)
    out, start = [], 1
    for k, feats in poly.items():
        signs = tuple(int(np.sign(W[i, k])) for i in feats)
        count = len(feats) * len(targets)
        block = values[start:start + count]
        best_move, after = None, None
        if count:
            b = int(np.argmin(block))
            _, i, t = moves[start - 1 + b]
            best_move, after = (i, t), float(block[b])
        start += count
        on = f"features {_describe(W, k, feats)} on neuron {k}"
        tried = (f"{count} moves: {len(feats)} features × {len(targets)} distinct targets among {n_free} free neurons"
                 if count else "")
        if max(signs.count(1), signs.count(-1)) >= 2:
            label = "same-sign"
            evidence = f"{on}: two share a sign, so the neuron adds W_ik·W_jk > 0 to their overlap G_ij"
            if best_move is not None:
                evidence += f"; best of {tried}, feature {best_move[0]} → neuron {best_move[1]}, ΔL = {after - L:+.3e}"
        elif best_move is not None and after <= L + eps:
            label = "incidental"
            evidence = (f"{on}; moving feature {best_move[0]} to free neuron {best_move[1]} "
                        f"(best of {tried}) gives ΔL = {after - L:+.3e} ≤ ε = {eps:.1e}")
        else:
            label = "necessary"
            if best_move is None:
                evidence = f"{on}; no free neuron (every column has a weight > tol = {tol:g})"
            else:
                evidence = (f"{on}; every move raises the loss: best of {tried}, feature {best_move[0]} → "
                            f"neuron {best_move[1]}, ΔL = {after - L:+.3e} > ε = {eps:.1e}")
        out.append(NeuronDiagnosis(neuron=k, features=tuple(feats), signs=signs,
                                   weights=tuple(float(W[i, k]) for i in feats), label=label, move=best_move,
                                   loss_before=L, loss_after=after, evidence=evidence, objective=objective))
    return out


def diagnose(W, *, l1: float = 0.0, p: float = 0.0, tol: float = 1e-3) -> list[NeuronDiagnosis]:
    """Label each polysemantic neuron of W incidental, necessary or same-sign (module docstring).

    For each polysemantic neuron every move (feature on it → free neuron) is evaluated and the best
    kept; "incidental" ⇔ a move with L_after ≤ L_before + 1e-12·max(1, |L_before|) exists.

    Parameters
    ----------
    W : array of shape (n, m), finite (one instance).
    l1 : float ≥ 0, λ_code.
    p : float in [0, 1], the co-occurrence probability of the data (0: one-hot inputs).
    tol : float ≥ 0; free neuron: max_i |W_ik| ≤ tol; feature: max_k |W_ik| > tol.

    Returns
    -------
    list of NeuronDiagnosis, one per polysemantic neuron, by neuron index (empty if none).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import monosemantic_weight
    >>> from sims.measure.diagnosis import diagnose
    >>> W = monosemantic_weight(0.1) * np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0]])  # neuron 2 free
    >>> [d] = diagnose(W, l1=0.1)  # p = 0: the ± pair costs nothing, and moving it keeps the loss
    >>> d.neuron, d.features, d.signs, d.label, d.move, d.objective, abs(d.change) <= 1e-12
    (0, (0, 1), (1, -1), 'incidental', (0, 2), 'one-hot', True)
    >>> [d] = diagnose(W, l1=0.1, p=0.05)  # p > 0: the move saves Δ(p) = 2p[1 − (1 − w*²)²]
    >>> d.label, d.objective, round(d.change, 4), d.strictly_better
    ('incidental', 'exact', -0.0999, True)
    >>> diagnose(W[:, :2], l1=0.1)[0].label  # no free neuron
    'necessary'
    """
    W, l1, p, tol = _inputs(W, l1, p, tol)
    return _diagnose(W, l1, p, tol, None)


def one_move_from_better(W, *, l1: float = 0.0, p: float = 0.0, tol: float = 1e-3) -> bool:
    """True if some single move strictly lowers the loss: L_after < L_before − 1e-12·max(1, |L_before|).

    Same moves, objective and arguments as ``diagnose``; includes same-sign neurons.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import monosemantic_weight
    >>> from sims.measure.diagnosis import one_move_from_better
    >>> W = monosemantic_weight(0.1) * np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0]])
    >>> one_move_from_better(W, l1=0.1), one_move_from_better(W, l1=0.1, p=0.05)
    (False, True)
    """
    return any(d.strictly_better for d in diagnose(W, l1=l1, p=p, tol=tol))


# ---------------------------------------------------------------------------------------------- repair


@dataclass(frozen=True, kw_only=True)
class RepairResult:
    """Outcome of ``repair``: the repaired ``W`` (read-only), its loss and the original's, the moves made
    (``steps``: (feature, from neuron, to neuron) in order) and whether any lowered the loss by more
    than ε (``improved``). Losses in the units of ``objective``.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.measure.diagnosis import RepairResult
    >>> r = RepairResult(W=np.eye(2), loss_before=0.4, loss_after=0.3, moves=1, improved=True, steps=((0, 0, 1),),
    ...                  objective="exact")
    >>> round(r.saving, 4)
    0.1
    """

    W: np.ndarray
    loss_before: float
    loss_after: float
    moves: int
    improved: bool
    steps: tuple[tuple[int, int, int], ...]
    objective: str

    @property
    def saving(self) -> float:
        """L_before − L_after (≥ −moves·ε; > 0 when a move lowered the loss)."""
        return self.loss_before - self.loss_after


def _repair(W: np.ndarray, l1: float, p: float, tol: float, objective: str | None) -> RepairResult:
    V = W.copy()
    steps, improved, first = [], False, None
    while True:
        diags = _diagnose(V, l1, p, tol, objective)
        objective = diags[0].objective if diags else (objective or _choose(V[None], p))
        if first is None:
            first = diags[0].loss_before if diags else float(_evaluate(V[None], l1=l1, p=p, objective=objective)[0])
        incidental = [d for d in diags if d.label == "incidental"]
        if not incidental:
            break
        d = min(incidental, key=lambda d: d.loss_after)   # the largest saving first
        i, t = d.move
        V = _moved(V, i, d.neuron, t)
        steps.append((i, d.neuron, t))
        improved |= d.loss_after < d.loss_before - _tolerance(d.loss_before)
    after = float(_evaluate(V[None], l1=l1, p=p, objective=objective)[0])
    V.setflags(write=False)
    return RepairResult(W=V, loss_before=first, loss_after=after, moves=len(steps), improved=improved,
                        steps=tuple(steps), objective=objective)


def repair(W, *, l1: float = 0.0, p: float = 0.0, tol: float = 1e-3) -> RepairResult:
    """Split incidental neurons greedily: apply the best incidental move (largest saving first) until
    ``diagnose`` reports no incidental neuron; never accepts a move with L_after > L_current + ε.

    Each move puts a weight > tol on a free neuron and leaves ≥ 1 feature on the old one, so the
    number of free neurons drops by one per move: at most m moves, and the loop ends with no
    incidental neuron (either none is left or no free neuron is). Same-sign and necessary neurons
    are left alone. The loss never rises by more than round-off: L_after ≤ L_before + moves·ε,
    ε = 1e-12·max(1, |L|). One objective throughout (if exact enumeration is refused at any step, the
    whole repair is redone on the first-order loss). Arguments as in ``diagnose``; W is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.cooccurrence import monosemantic_weight
    >>> from sims.measure.diagnosis import repair
    >>> W = monosemantic_weight(0.1) * np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0]])
    >>> r = repair(W, l1=0.1, p=0.05)
    >>> r.moves, r.steps, r.improved, round(r.saving, 4), r.objective  # feature 0: neuron 0 → neuron 2
    (1, ((0, 0, 2),), True, 0.0999, 'exact')
    >>> np.round(r.W, 3).tolist()
    [[0.0, 0.0, 0.987], [-0.987, 0.0, 0.0], [0.0, 0.987, 0.0]]
    """
    W, l1, p, tol = _inputs(W, l1, p, tol)
    try:
        return _repair(W, l1, p, tol, None)
    except _SupportExceeded:
        return _repair(W, l1, p, tol, "first-order")
