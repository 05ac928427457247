"""Every named sweep: the grids that ``incidental sweep NAME`` runs (``SWEEPS``, ``make_sweep``) and the grids
of the figure reproductions (``*_sweep(quick=, seed=)``). Each has a quick grid (minutes on 2 cores) and a
full grid; the point functions live in ``sims.studies`` (module-level, so worker processes can import them).
"""

from __future__ import annotations

from ..studies.circuits import circuit_point
from ..studies.collisions import polysemantic_counts, start_end_correlations
from ..studies.cooccurrence import capacity_point, tradeoff_point
from ..studies.diagnosis import diagnosis_point
from ..studies.dictionary import dictionary_point
from ..studies.feature_visualisation import FACET_SETTINGS, facet_point
from ..studies.mitigations import ARMS, KAPPAS, RECIPES, kurtosis_point, mitigation_point
from ..studies.neuron_measures import digit_facets_point, neuron_measures_point
from ..studies.noise import FAMILIES, SIGMAS, CONDITIONS, fourth_norm_curve, noise_polysemantic_counts
from ..studies.sparsity import sparsity_curves
from ..studies.synthetic_law import synthetic_law_point
from ..studies.task_network import (
    DIGIT_ARMS,
    digits_arm_point,
    digits_networks,
    digits_point,
)
from .sweep import Sweep

__all__ = ["DIAGNOSIS_PS", "DIGITS_MORE_RELS", "SWEEPS", "capacity_sweep", "circuits_sweep", "diagnosis_sweep",
           "dictionary_sweep", "digits_sweeps", "digits_tradeoff_sweep", "facets_sweep",
           "kurtosis_sweep", "make_sweep", "mitigations_sweep", "noise_counts_sweep", "noise_sweep",
           "regimes_sweep", "sparsity_sweep", "synthetic_law_sweeps", "tradeoff_sweep"]


M_PAPER = tuple(range(256, 4097, 256))
M_QUICK = (64, 128, 256, 512, 1024)
L1_CURVES = (1e-3, 1e-2, 1e-1)

#: The digit networks' recipe (``sims.studies.task_network``): AdamW lr 3e-3, 1000 steps of 64 images, 10 classes.
DIGITS_RECIPE = {"lr": 3e-3, "steps": 1000, "batch": 64, "n_class": 10}
DIGITS_WIDTHS = (16, 32, 64, 128, 256, 512)
#: Stricter preferred-class thresholds at which the width sweep also counts polysemantic neurons (rel 0.5 is the
#: stated one).
DIGITS_MORE_RELS = (0.8, 0.95)

# name → (point function, quick grid and fixed parameters, full grid and fixed parameters)
SWEEPS = {
    "polysemantic": (
        polysemantic_counts,
        ({"m": (64, 128, 256, 512, 1024)}, {"n": 64, "l1": 1e-3, "steps": 7500, "instances": 8}),
        ({"m": tuple(range(256, 4097, 256))}, {"n": 256, "l1": 1e-3, "steps": 7500, "instances": 16}),
    ),
    # paper §3.4 (all_curves.py): the collision count for three λ
    "curves": (
        polysemantic_counts,
        ({"l1": L1_CURVES, "m": M_QUICK}, {"n": 64, "steps": 7500, "instances": 8}),
        ({"l1": L1_CURVES, "m": M_PAPER}, {"n": 256, "steps": 7500, "instances": 16}),
    ),
    # paper §3.5 (correlations.py): the start–end correlation matrix at one (n, m)
    "correlations": (
        start_end_correlations,
        ({"m": (1024,)}, {"n": 64, "l1": 1e-3, "steps": 7500, "instances": 8}),
        ({"m": (4096,)}, {"n": 256, "l1": 1e-3, "steps": 7500, "instances": 16}),
    ),
    # circuits through polysemantic neurons (sims.studies.circuits): superposition (m < n) and incidental (m ≥ n)
    "circuits": (
        circuit_point,
        ({"target": ("identity", "permutation"), "m": (8, 12, 16, 32, 64, 128)}, {"n": 32, "instances": 4}),
        ({"target": ("identity", "permutation"), "m": (8, 12, 16, 24, 32, 48, 64, 96, 128)}, {"n": 32, "instances": 16}),
    ),
    # digit networks: polysemantic neurons against width (sims.studies.task_network; own stream per point)
    "digits-counts": (
        digits_networks,
        ({"width": (16, 64, 256)}, {**DIGITS_RECIPE, "instances": 8}),
        ({"width": DIGITS_WIDTHS}, {**DIGITS_RECIPE, "instances": 16}),
    ),
    # three measures of a neuron's features against the synthetic task's truth (sims.studies.neuron_measures)
    "synthetic-task": (
        neuron_measures_point,
        ({"d": (4, 8, 16), "replicate": (0, 1, 2)}, {"n_features": 16, "width": 32, "l1": 0.01, "instances": 4}),
        ({"l1": (1e-3, 1e-2), "d": (2, 4, 8, 16, 32), "replicate": tuple(range(5))},
         {"n_features": 16, "width": 32, "instances": 8}),
    ),
    # facets of the most polysemantic digit neurons (sims.studies.neuron_measures.digit_facets_point)
    "digits-facets": (
        digit_facets_point,
        ({"weight": (0.3, 3.0)}, {"width": 32, "count": 4}),
        ({"weight": (0.0, 0.3, 3.0, 30.0)}, {"width": 32, "count": 8}),
    ),
}


def make_sweep(name: str, *, quick: bool, seed: int = 0) -> Sweep:
    """The registered sweep ``name`` (a key of ``SWEEPS``) at its quick or full size.

    The point functions train with λ = ``l1`` in code units for ``steps`` optimiser steps (AdamW, lr 1e-3).

    Examples
    --------
    >>> from sims.runs.grids import SWEEPS, make_sweep
    >>> [(name, len(make_sweep(name, quick=True).points()), len(make_sweep(name, quick=False).points()))
    ...  for name in sorted(SWEEPS)]
    [('circuits', 12, 18), ('correlations', 1, 1), ('curves', 15, 48), ('digits-counts', 3, 6), ('digits-facets', 2, 4),
     ('polysemantic', 5, 16), ('synthetic-task', 9, 50)]
    >>> make_sweep("curves", quick=True).point.__name__
    'polysemantic_counts'
    """
    if name not in SWEEPS:
        raise ValueError(f"sweep must be one of {sorted(SWEEPS)}, got {name!r}")
    point, quick_grid, full_grid = SWEEPS[name]
    grid, fixed = quick_grid if quick else full_grid
    return Sweep(name=name, point=point, grid=grid, fixed=fixed, seed=seed)


# ---------------------------------------------------------------------------------- figure grids


def sparsity_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point: m = 1e5 (quick: 1e4), λ = 1e-5, scale 0.9, brute force at m = 2000 (quick: 500).

    λ here is the paper's gradient-flow λ (``sparsity_curves`` works in paper units: λ = λ_code/4,
    t = 4·t_code).

    Examples
    --------
    >>> from sims.runs.grids import sparsity_sweep
    >>> quick, full = sparsity_sweep(quick=True), sparsity_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points()), quick.fixed["lam"]
    ('sparsity-quick', 1, 'sparsity', 1, 1e-05)
    """
    fixed = {"lam": 1e-5, "scale": 0.9, "brute_m": 500 if quick else 2000, "points": 240}
    return Sweep(name="sparsity-quick" if quick else "sparsity", point=sparsity_curves,
                 grid={"m": (10**4,) if quick else (10**5,)}, fixed=fixed, seed=seed)


def noise_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """All families × σ; quick: 2e4 steps, full (the paper's): 1e5 steps.

    λ = 0, plain GD at lr 0.02 with fresh hidden noise every step; steps are optimiser steps.

    Examples
    --------
    >>> from sims.runs.grids import noise_sweep
    >>> quick, full = noise_sweep(quick=True), noise_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points()), full.fixed["steps"]
    ('noise-quick', 12, 'noise', 12, 100000)
    """
    fixed = {"n": 8, "m": 16, "lr": 0.02, "steps": 20_000 if quick else 100_000, "instances": 5, "points": 50}
    return Sweep(name="noise-quick" if quick else "noise", point=fourth_norm_curve,
                 grid={"family": FAMILIES, "sigma": SIGMAS}, fixed=fixed, seed=seed)


def dictionary_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """m at fixed n for sparse dictionaries of prox-GD models (``sims.studies.dictionary``): quick, n = 32,
    m ∈ {32, 64, 128}, 1 model, 5e4 activations, 2e4 steps; full, n = 64, m ∈ {64, 128, 256, 512}, 4 models,
    1e5 activations, 3e4 steps. Features on with probability 0.05; 2n latents.

    Examples
    --------
    >>> from sims.runs.grids import dictionary_sweep
    >>> quick, full = dictionary_sweep(quick=True), dictionary_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('dictionary-quick', 3, 'dictionary', 4)
    """
    if quick:
        fixed = {"n": 32, "models": 1, "samples": 50_000, "steps": 20_000, "p": 0.05}
        grid = {"m": (32, 64, 128)}
    else:
        fixed = {"n": 64, "models": 4, "samples": 100_000, "steps": 30_000, "p": 0.05}
        grid = {"m": (64, 128, 256, 512)}
    return Sweep(name="dictionary-quick" if quick else "dictionary", point=dictionary_point, grid=grid, fixed=fixed,
                 seed=seed)


def facets_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """Visualisation setting × m at n = 64 on prox-GD models (``sims.studies.feature_visualisation``; the same
    models for every setting at one m): quick, m ∈ {64, 256} and 1 model per point; full, m ∈ {64, 128, 256},
    4 models per point, and the same on the paper's AdamW recipe.

    Examples
    --------
    >>> from sims.runs.grids import facets_sweep
    >>> quick, full = facets_sweep(quick=True), facets_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('facets-quick', 30, 'facets', 90)
    """
    fixed = {"n": 64, "models": 1 if quick else 4, "model_seed": seed}
    grid = {"recipe": ("prox-gd",) if quick else ("prox-gd", "adamw"), "m": (64, 256) if quick else (64, 128, 256),
            "setting": tuple(FACET_SETTINGS)}
    return Sweep(name="facets-quick" if quick else "facets", point=facet_point, grid=grid, fixed=fixed, seed=seed)


def noise_counts_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """Conditions × m at n = 16; quick: 2e4 steps × 8 instances, full: 1e5 steps × 16 instances, at lr
    0.02 up to m = 32 and lr 0.02·32/m with proportionally more steps beyond (``lr_reference_m``).

    λ = ``l1`` = 0.01 in code units (where the condition has L1), σ = 0.15; steps are optimiser steps.

    Examples
    --------
    >>> from sims.runs.grids import noise_counts_sweep
    >>> quick, full = noise_counts_sweep(quick=True), noise_counts_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('noise-counts-quick', 16, 'noise-counts', 20)
    """
    fixed = {"n": 16, "sigma": 0.15, "l1": 0.01, "lr": 0.02, "steps": 20_000 if quick else 100_000,
             "instances": 8 if quick else 16, "lr_reference_m": 32}
    grid = {"condition": tuple(CONDITIONS), "m": (16, 32, 64, 128) if quick else (16, 32, 64, 128, 256)}
    return Sweep(name="noise-counts-quick" if quick else "noise-counts", point=noise_polysemantic_counts,
                 grid=grid, fixed=fixed, seed=seed)


def tradeoff_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """m × λ at n = 16 (quick: m ∈ {32, 64}, λ ∈ {0.1, 0.2}, 8 instances) or n = 32 (m ∈ {64, 128, 256},
    λ ∈ {0.05, 0.1, 0.2}, 32 instances); p inside each point up to np = 0.8 (the first-order objective's range):
    {0, 0.01, 0.02, 0.05} at n = 16, {0, 0.005, 0.01, 0.025} at n = 32.

    λ = ``l1`` in code units; each point trains with proximal GD for gradient-flow time λt = 20.

    Examples
    --------
    >>> from sims.runs.grids import tradeoff_sweep
    >>> quick, full = tradeoff_sweep(quick=True), tradeoff_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('tradeoff-quick', 4, 'tradeoff', 9)
    """
    ps = (0.0, 0.01, 0.02, 0.05) if quick else (0.0, 0.005, 0.01, 0.025)
    fixed = {"n": 16 if quick else 32, "instances": 8 if quick else 32, "ps": ps}
    grid = {"m": (32, 64) if quick else (64, 128, 256), "l1": (0.1, 0.2) if quick else (0.05, 0.1, 0.2)}
    return Sweep(name="tradeoff-quick" if quick else "tradeoff", point=tradeoff_point, grid=grid, fixed=fixed, seed=seed)


def capacity_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """n at m = 8 (quick: n ∈ {8, 12, 16, 20}, 4 instances; full: n ∈ {8, 10, …, 20}, 16 instances), λ = 0.02,
    p ∈ {0, 0.01, 0.02, 0.04} inside each point (np ≤ 0.8; p/λ up to 2, past the triangle break-even 1.46).

    λ = ``l1`` in code units; each point trains with proximal GD for gradient-flow time λt = 20.

    Examples
    --------
    >>> from sims.runs.grids import capacity_sweep
    >>> quick, full = capacity_sweep(quick=True), capacity_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('capacity-quick', 4, 'capacity', 7)
    """
    ns = (8, 12, 16, 20) if quick else tuple(range(8, 21, 2))
    return Sweep(name="capacity-quick" if quick else "capacity", point=capacity_point,
                 grid={"n": ns}, fixed={"m": 8, "l1": 0.02, "instances": 4 if quick else 16,
                                        "ps": (0.0, 0.01, 0.02, 0.04)}, seed=seed)


def regimes_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """n at m = 8 from the incidental regime (n < m) through n = 2m (quick: n ∈ {4, 8, 12, 16}, 4 instances;
    full: n ∈ {2, 4, …, 16}, 16 instances), λ = 0.05, p ∈ {0, 0.01, 0.02, 0.05} (np ≤ 0.8).

    λ = ``l1`` in code units; each point trains with proximal GD for gradient-flow time λt = 20.

    Examples
    --------
    >>> from sims.runs.grids import regimes_sweep
    >>> quick, full = regimes_sweep(quick=True), regimes_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('regimes-quick', 4, 'regimes', 8)
    """
    ns = (4, 8, 12, 16) if quick else tuple(range(2, 17, 2))
    return Sweep(name="regimes-quick" if quick else "regimes", point=capacity_point, grid={"n": ns},
                 fixed={"m": 8, "l1": 0.05, "instances": 4 if quick else 16, "ps": (0.0, 0.01, 0.02, 0.05)}, seed=seed)


def mitigations_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point per (recipe, arm): prox-GD only when quick, prox-GD and the paper's AdamW at full size; arms
    that keep the width share the initial weights (``init_seed``).

    n = 32, m = 128, 16 instances when quick; n = 64, m = 256, 32 instances at full size; λ = ``RECIPE_L1`` of
    the recipe, in code units.

    Examples
    --------
    >>> from sims.runs.grids import mitigations_sweep
    >>> quick, full = mitigations_sweep(quick=True), mitigations_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('mitigations-quick', 7, 'mitigations', 14)
    """
    fixed = {"n": 32 if quick else 64, "m": 128 if quick else 256, "instances": 16 if quick else 32,
             "init_seed": seed}
    return Sweep(name="mitigations-quick" if quick else "mitigations", point=mitigation_point,
                 grid={"recipe": ("prox-gd",) if quick else RECIPES, "arm": ARMS}, fixed=fixed, seed=seed)


def kurtosis_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point per excess kurtosis in ``KAPPAS``, all from the same initial weights (``init_seed``).

    8 instances when quick, 32 at full size; each point is ``kurtosis_encodings`` at its defaults (n = 16,
    m = 64, λ = ``l1`` = 0.01 in code units, σ = 0.15, 40000 proximal-GD steps).

    Examples
    --------
    >>> from sims.runs.grids import kurtosis_sweep
    >>> quick, full = kurtosis_sweep(quick=True), kurtosis_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points())
    ('mitigations-kurtosis-quick', 6, 'mitigations-kurtosis', 6)
    """
    return Sweep(name="mitigations-kurtosis-quick" if quick else "mitigations-kurtosis", point=kurtosis_point,
                 grid={"kappa": KAPPAS}, fixed={"instances": 8 if quick else 32, "init_seed": seed}, seed=seed)


#: co-occurrence probabilities of the diagnosis figure
DIAGNOSIS_PS = (0.0, 0.0025, 0.005, 0.01, 0.02)


def diagnosis_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """One point per co-occurrence probability p in ``DIAGNOSIS_PS`` at n = 32, m = 128, λ = ``l1`` = 0.1 (code
    units), 8 instances (quick) or 64; every p starts from the same initial weights (``init_seed``), each
    trained with proximal GD for gradient-flow time λt = 20.

    Examples
    --------
    >>> from sims.runs.grids import diagnosis_sweep
    >>> quick, full = diagnosis_sweep(quick=True), diagnosis_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points()), quick.grid["p"]
    ('diagnosis-quick', 5, 'diagnosis', 5, (0.0, 0.0025, 0.005, 0.01, 0.02))
    """
    fixed = {"n": 32, "m": 128, "l1": 0.1, "instances": 8 if quick else 64, "init_seed": seed}
    return Sweep(name="diagnosis-quick" if quick else "diagnosis", point=diagnosis_point, grid={"p": DIAGNOSIS_PS},
                 fixed=fixed, seed=seed)


def digits_sweeps(*, quick: bool, seed: int = 0) -> dict[str, Sweep]:
    """The five sweeps of ``incidental reproduce digits``: width m, classes k (m = 64), λ (m = 64), the excess
    kurtosis κ of three-point hidden noise at σ = 0.3 (m = 64, λ = 0), and width m of the network with two hidden
    layers of m neurons (``layers`` = 2; both layers measured, same widths). Recipe ``DIGITS_RECIPE`` (AdamW lr 3e-3,
    1000 steps of 64 images); 8 networks per point (quick) or 16, all from ``init_seed`` = ``seed`` (paired
    across λ and κ); the width sweep also counts at the stricter thresholds ``DIGITS_MORE_RELS``. λ = ``l1`` in
    nats per unit |weight| of W₁; σ in activation units.

    Examples
    --------
    >>> from sims.runs.grids import digits_sweeps
    >>> quick, full = digits_sweeps(quick=True), digits_sweeps(quick=False)
    >>> {k: len(v.points()) for k, v in quick.items()}
    {'width': 3, 'classes': 3, 'l1': 3, 'kurtosis': 3, 'two-layer': 3}
    >>> {k: len(v.points()) for k, v in full.items()}
    {'width': 6, 'classes': 7, 'l1': 6, 'kurtosis': 6, 'two-layer': 6}
    """
    fixed = {**DIGITS_RECIPE, "instances": 8 if quick else 16, "init_seed": seed}
    at64 = {**fixed, "width": 64}
    grids = {"width": ({"width": (16, 64, 256) if quick else DIGITS_WIDTHS},
                       {**fixed, "more_rels": DIGITS_MORE_RELS}),
             "classes": ({"n_class": (2, 5, 10) if quick else (2, 3, 4, 5, 6, 8, 10)}, at64),
             "l1": ({"l1": (0.0, 1e-3, 3e-3) if quick else (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)}, at64),
             "kurtosis": ({"kurtosis": (-2.0, 0.0, 3.0) if quick else (-2.0, -1.0, 0.0, 1.0, 3.0, 6.0)},
                          {**at64, "noise_family": "three-point", "sigma": 0.3})}
    grids["two-layer"] = (grids["width"][0], {**fixed, "layers": 2})
    suffix = "-quick" if quick else ""
    return {name: Sweep(name=f"digits-{name}{suffix}", point=digits_point, grid=grid, fixed=fx, seed=seed)
            for name, (grid, fx) in grids.items()}


def digits_tradeoff_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """The mitigation arms of ``incidental reproduce digits-tradeoff`` (``sims.studies.task_network.
    DIGIT_ARMS``: baseline m = 64, 4× wider, W₁'s initial scale × 0.25 or × 4, λ = 1e-3 from the start or
    after a warm-up of half the steps, bipolar or Laplace noise of σ = 0.3), 16 networks per arm (quick) or 64,
    every arm from the same ``init_seed`` = ``seed``; recipe ``DIGITS_RECIPE``.

    Examples
    --------
    >>> from sims.runs.grids import digits_tradeoff_sweep
    >>> quick, full = digits_tradeoff_sweep(quick=True), digits_tradeoff_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, full.fixed["instances"]
    ('digits-tradeoff-quick', 8, 'digits-tradeoff', 64)
    """
    fixed = {**DIGITS_RECIPE, "width": 64, "l1": 1e-3, "sigma": 0.3, "instances": 16 if quick else 64,
             "init_seed": seed}
    return Sweep(name="digits-tradeoff-quick" if quick else "digits-tradeoff", point=digits_arm_point,
                 grid={"arm": DIGIT_ARMS}, fixed=fixed, seed=seed)


#: The synthetic-task count law's networks (``sims.studies.synthetic_law``), as the claims
#: ``task.synthetic-count-vs-m(-full)`` train them (``sims.ledger.synthetic_task``'s ``LAW_*`` are these
#: constants; the sweeps seed each point from its parameters, the claims from (seed, m)): k = 16 orthonormal features,
#: p = 1/k, label = feature, λ = 0.01 on W₁, AdamW lr 0.01 for 1000 steps of 64 of 4000 samples, or proximal
#: GD at lr 0.5.
SYNTHETIC_LAW_RECIPE = {"k": 16, "steps": 1000, "lr": 1e-2, "batch": 64, "samples": 4000, "optimizer": "adamw"}
SYNTHETIC_LAW_L1 = 0.01
SYNTHETIC_LAW_PROX = {"optimizer": "prox_gd", "lr": 0.5}
SYNTHETIC_LAW_WIDTHS = {True: (32, 64, 128), False: (16, 32, 64, 128, 256)}
SYNTHETIC_LAW_NETWORKS = {True: 8, False: 16}


def synthetic_law_sweeps(*, quick: bool, seed: int = 0) -> dict[str, Sweep]:
    """The count-law panel of ``incidental reproduce synthetic-task``: the truth-defined polysemantic count
    against width m under L1 (λ = ``SYNTHETIC_LAW_L1`` nats per unit |weight|) with AdamW (``"adamw"``) and with
    proximal GD (``"prox-gd"``), recipe ``SYNTHETIC_LAW_RECIPE``; m ∈ {32, 64, 128} with 8 networks per point
    (quick) or m ∈ {16, …, 256} with 16, one task per point from the point's own stream.

    Examples
    --------
    >>> from sims.runs.grids import synthetic_law_sweeps
    >>> quick = synthetic_law_sweeps(quick=True)
    >>> {name: (len(s.points()), s.fixed["optimizer"], s.fixed["instances"]) for name, s in quick.items()}
    {'adamw': (3, 'adamw', 8), 'prox-gd': (3, 'prox_gd', 8)}
    >>> [len(s.points()) for s in synthetic_law_sweeps(quick=False).values()]
    [5, 5]
    """
    fixed = {**SYNTHETIC_LAW_RECIPE, "l1": SYNTHETIC_LAW_L1, "instances": SYNTHETIC_LAW_NETWORKS[bool(quick)]}
    suffix = "-quick" if quick else ""
    grid = {"width": SYNTHETIC_LAW_WIDTHS[bool(quick)]}
    return {name: Sweep(name=f"synthetic-law-{name}{suffix}", point=synthetic_law_point, grid=grid, fixed=fx,
                        seed=seed)
            for name, fx in (("adamw", fixed), ("prox-gd", {**fixed, **SYNTHETIC_LAW_PROX}))}


def circuits_sweep(*, quick: bool, seed: int = 0) -> Sweep:
    """The ``circuits`` grid of ``SWEEPS`` (``sims.studies.circuits.circuit_point``: prox-GD, λ = 0.1, λt = 20, read-outs
    oriented) under the figure's name: target × m at n = 32, quick with m ∈ {8, 12, 16} (superposition) and
    {32, 64, 128} (incidental), 4 models per point; full with m ∈ {8, 12, 16, 24} and {32, 48, 64, 96, 128}, 16 models
    (not beyond m = 128: at m = 256 λ = 0.1 stops every path before it grows, ``sims.studies.circuits.circuit_config``).

    Examples
    --------
    >>> from sims.runs.grids import circuits_sweep
    >>> quick, full = circuits_sweep(quick=True), circuits_sweep(quick=False)
    >>> quick.name, len(quick.points()), full.name, len(full.points()), full.fixed["n"]
    ('circuits-quick', 12, 'circuits', 18, 32)
    """
    point, quick_grid, full_grid = SWEEPS["circuits"]
    grid, fixed = quick_grid if quick else full_grid
    return Sweep(name="circuits-quick" if quick else "circuits", point=point, grid=grid, fixed=fixed, seed=seed)
