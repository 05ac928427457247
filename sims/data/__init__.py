"""Data sets for task-trained networks: each function returns a ``TaskData`` (inputs, labels, a fixed
train/test split). ``digits`` reads scikit-learn's bundled 8×8 handwritten digits (the optional ``data``
extra; imported lazily, never downloaded); ``synthetic`` makes sparse features with known directions, so
a hidden neuron can be matched to the features it encodes.
"""

from . import _task
from . import digits as _digits
from . import synthetic as _synthetic
from ._task import *
from .digits import *
from .synthetic import *

__all__ = _task.__all__ + _digits.__all__ + _synthetic.__all__
