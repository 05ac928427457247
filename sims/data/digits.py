"""Handwritten digits: scikit-learn's 8×8 images (UCI optical digits test set), a fixed stratified split.

``sklearn.datasets.load_digits`` reads 1797 images of 8×8 pixels with integer intensities 0…16 from a
file shipped inside the scikit-learn wheel, so no download happens at run time. The first ``n_class``
digits are kept (load_digits' ``n_class``); pixels are divided by 16, so inputs lie in [0, 1]^64; the
split is ``sklearn.model_selection.train_test_split(..., stratify=y, random_state=seed)``, which keeps
every class's share equal in train and test up to one sample. scikit-learn is an optional dependency:
``pip install 'incidental-polysemanticity[data]'``.
"""

from __future__ import annotations

import math

from theory import validate

from ._task import TaskData

__all__ = ["DIGITS_PIXEL_MAX", "digits_task"]

#: Largest pixel value of ``load_digits`` (16 = the count of on pixels in a 4×4 block of the 32×32 bitmap).
DIGITS_PIXEL_MAX = 16.0


def _sklearn():
    """The two scikit-learn functions the digits task needs, imported lazily."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as err:  # pragma: no cover - the test extra installs scikit-learn
        raise ImportError("digits_task needs scikit-learn: pip install 'incidental-polysemanticity[data]' "
                          "(the 'data' extra)") from err
    return load_digits, train_test_split


def digits_task(*, n_class: int = 10, test_fraction: float = 0.25, seed: int = 0) -> TaskData:
    """The 8×8 digits 0…n_class − 1 as a classification task: x = pixels/16 ∈ [0, 1]^64, y = digit.

    Parameters
    ----------
    n_class : int
        Keep the digits 0, …, n_class − 1 (2 <= n_class <= 10; 10 gives all 1797 images).
    test_fraction : float
        Share of the images held out for testing, in (0, 1); the test set has ⌈N·test_fraction⌉ images
        (scikit-learn's rounding) and each side must hold at least one image per class.
    seed : int
        ``random_state`` of the stratified split (an integer >= 0): same seed, same split.

    Returns
    -------
    TaskData
        Float64 inputs of shape (N, 64) in [0, 1], int64 labels; the split is stratified by class.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data.digits import digits_task
    >>> task = digits_task(n_class=10, test_fraction=0.25, seed=0)
    >>> task.X_train.shape, task.X_test.shape, task.n_class
    ((1347, 64), (450, 64), 10)
    >>> float(task.X_train.min()), float(task.X_train.max())
    (0.0, 1.0)
    >>> np.bincount(task.y_test).tolist()  # 25 % of each digit's 174…183 images
    [45, 46, 44, 46, 45, 46, 45, 45, 43, 45]
    """
    n_class = validate.integer("n_class", n_class, minimum=2)
    if n_class > 10:
        raise ValueError(f"n_class must be an integer in [2, 10], got {n_class!r}")
    test_fraction = validate.real("test_fraction", test_fraction, minimum=0.0, maximum=1.0,
                                  strict_min=True, strict_max=True)
    seed = validate.integer("seed", seed, minimum=0)
    load_digits, train_test_split = _sklearn()
    X, y = load_digits(n_class=n_class, return_X_y=True)
    n_test = math.ceil(len(y) * test_fraction)  # as train_test_split rounds
    if min(n_test, len(y) - n_test) < n_class:
        raise ValueError(f"test_fraction must leave at least n_class = {n_class} images on each side of the "
                         f"split of {len(y)} images, got {test_fraction!r}")
    X_train, X_test, y_train, y_test = train_test_split(X / DIGITS_PIXEL_MAX, y, test_size=test_fraction,
                                                        stratify=y, random_state=seed)
    return TaskData(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, n_class=n_class,
                    description=f"sklearn load_digits(n_class={n_class}): {len(y)} 8x8 images, pixels/16 in "
                                f"[0, 1]; stratified split test_fraction={test_fraction:g}, seed={seed}")
