"""The container every task of ``sims.data`` returns (private; re-exported by ``sims.data``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import validate

__all__ = ["TaskData"]


def _frozen(name: str, value, *, ndim: int, dtype) -> np.ndarray:
    """A read-only C-contiguous copy of ``value`` as ``dtype`` with ``ndim`` dimensions; ValueError naming ``name``."""
    try:
        a = np.array(value, dtype=dtype, order="C", copy=True)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from err
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, kw_only=True, eq=False)
class TaskData:
    """A classification task with a fixed train/test split: inputs x ∈ R^d (rows) and labels in {0, …, C − 1}.

    Parameters
    ----------
    X_train, X_test : array (N_train, d), (N_test, d)
        Inputs, float64, finite (units are the task's; ``digits_task``: pixel intensity / 16 ∈ [0, 1]).
    y_train, y_test : array (N_train,), (N_test,)
        Integer labels in [0, n_class − 1].
    n_class : int
        Number of classes C >= 2.
    description : str
        One line saying where the data came from and how it was split.

    The arrays are stored as read-only copies, so a task cannot be changed after it is made.

    Examples
    --------
    >>> import numpy as np
    >>> from sims.data import TaskData
    >>> task = TaskData(X_train=np.eye(2), y_train=[0, 1], X_test=np.eye(2), y_test=[0, 1], n_class=2,
    ...                 description="two one-hot inputs")
    >>> task.input_dim, task.X_train.flags.writeable, task.y_train.dtype
    (2, False, dtype('int64'))
    >>> TaskData(X_train=np.eye(2), y_train=[0, 2], X_test=np.eye(2), y_test=[0, 1], n_class=2, description="")
    Traceback (most recent call last):
    ...
    ValueError: y_train must hold integer labels in [0, 1], got values in [0, 2]
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_class: int
    description: str

    def __post_init__(self):
        n_class = validate.integer("n_class", self.n_class, minimum=2)
        d = None
        for part in ("train", "test"):
            X = _frozen(f"X_{part}", getattr(self, f"X_{part}"), ndim=2, dtype=np.float64)
            y_raw = np.asarray(getattr(self, f"y_{part}"))
            if y_raw.size and not np.issubdtype(y_raw.dtype, np.integer):
                raise ValueError(f"y_{part} must hold integer labels, got dtype {y_raw.dtype}")
            y = _frozen(f"y_{part}", y_raw, ndim=1, dtype=np.int64)
            if X.shape[0] < 1 or X.shape[1] < 1:
                raise ValueError(f"X_{part} must have at least one row and one column, got shape {X.shape}")
            if y.shape[0] != X.shape[0]:
                raise ValueError(f"y_{part} must have one label per row of X_{part} ({X.shape[0]}), got {y.shape[0]}")
            if d is not None and X.shape[1] != d:
                raise ValueError(f"X_{part} must have d = {d} columns like X_train, got shape {X.shape}")
            d = X.shape[1]
            if not np.all(np.isfinite(X)):
                raise ValueError(f"X_{part} must be finite")
            if y.min() < 0 or y.max() >= n_class:
                raise ValueError(f"y_{part} must hold integer labels in [0, {n_class - 1}], "
                                 f"got values in [{y.min()}, {y.max()}]")
            object.__setattr__(self, f"X_{part}", X)
            object.__setattr__(self, f"y_{part}", y)
        object.__setattr__(self, "n_class", n_class)
        if not isinstance(self.description, str):
            raise ValueError(f"description must be a string, got {self.description!r}")  # noqa: TRY004 (package convention)

    @property
    def input_dim(self) -> int:
        """Input dimension d (the number of columns of X)."""
        return self.X_train.shape[1]
