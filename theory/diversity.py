"""The diversity terms of feature visualisation, in closed form for a layer without spatial positions.

Feature visualisation with diversity (Olah, Mordvintsev & Schubert, "Feature Visualization", Distill 2017;
lucid's and lucent's ``objectives.diversity``) optimises a batch of B inputs for one neuron while penalising
the similarity of their activations h_1…h_B ∈ R^m. lucid's term compares the Gram matrices of the examples,
G_b[i, j] = Σ_positions h_bi h_bj; it penalises

    S_gram = Σ_a Σ_{b≠a} vec(G_a)·vec(G_b) / (‖vec G_a‖ ‖vec G_b‖)

(lucid divides by B and subtracts B times the weight from the objective). Without spatial positions
G_b = h_b h_bᵀ, vec(G_a)·vec(G_b) = (h_a·h_b)² and ‖vec G_b‖ = ‖h_b‖², so

    S_gram = Σ_a Σ_{b≠a} cos²(h_a, h_b),

which is blind to the sign of each activation vector (``derivations.diversity``): two inputs whose
activations are h and −h count as identical. The plain cosine term S_cos = Σ_a Σ_{b≠a} cos(h_a, h_b) tells
them apart and rewards them. Dimensionless.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cosine_diversity", "gram_diversity"]


def _cosines(H) -> np.ndarray:
    H = np.asarray(H, dtype=np.float64)
    if H.ndim < 2:
        raise ValueError(f"H must have shape (..., B, m) with B >= 1, got shape {H.shape}")
    U = H / np.maximum(np.linalg.norm(H, axis=-1, keepdims=True), 1e-300)
    return U @ np.swapaxes(U, -1, -2)


def _off_diagonal_sum(C: np.ndarray) -> np.ndarray:
    return C.sum(axis=(-2, -1)) - np.trace(C, axis1=-2, axis2=-1)


def gram_diversity(H) -> np.ndarray:
    """S_gram = Σ_a Σ_{b≠a} cos²(h_a, h_b): lucid's Gram-matrix diversity of a non-spatial layer.

    Parameters
    ----------
    H : array, shape (..., B, m)
        The activation vectors of a batch of B inputs (rows); nonzero rows.

    Returns
    -------
    array of shape H.shape[:-2]
        The undivided pairwise sum (lucid's term times the batch size B), between 0 and B(B − 1).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.diversity import gram_diversity
    >>> h = np.array([1.0, 0.0, 0.5])
    >>> round(float(gram_diversity(np.stack([h, -h]))), 12)  # sign-blind: h and −h count as identical (2 ordered pairs)
    2.0
    >>> float(gram_diversity(np.eye(3)))  # orthogonal activations: no penalty
    0.0
    """
    C = _cosines(H)
    return _off_diagonal_sum(C * C)


def cosine_diversity(H) -> np.ndarray:
    """S_cos = Σ_a Σ_{b≠a} cos(h_a, h_b) = ‖Σ_b ĥ_b‖² − B ≥ −B: the plain cosine diversity.

    Parameters
    ----------
    H : array, shape (..., B, m)
        The activation vectors of a batch of B inputs (rows); nonzero rows.

    Returns
    -------
    array of shape H.shape[:-2]
        The pairwise sum, between −B (unit vectors summing to 0) and B(B − 1).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.diversity import cosine_diversity
    >>> h = np.array([1.0, 0.0, 0.5])
    >>> round(float(cosine_diversity(np.stack([h, -h]))), 12)  # opposite activations are rewarded
    -2.0
    """
    return _off_diagonal_sum(_cosines(H))
