"""Engines: how weights evolve. Training batched over instances (GD, proximal GD, SGD with hidden noise,
AdamW identical to ``torch.optim.AdamW``; ``train``), co-occurring features (``cooccurrence``), recording
schedules (``schedule``), the gradient flow (``gradient_flow``) and one feature under L1 solved exactly
(``single_feature``; compiled Radau IIA in ``_radau``, fused optimiser kernels in ``_kernels``), feature
visualisation with diversity: a batch of inputs optimised for one neuron (``visualise``), and sparse
dictionaries (sparse autoencoders) trained on activations (``dictionary``).
"""

from . import circuit_train as _circuit_train, cooccurrence as _cooccurrence, dictionary as _dictionary, gradient_flow as _gradient_flow, schedule as _schedule, single_feature as _single_feature, task_train as _task_train, train as _train, visualise as _visualise
from .circuit_train import *  # noqa: F403
from .cooccurrence import *  # noqa: F403
from .dictionary import *  # noqa: F403
from .gradient_flow import *  # noqa: F403
from .schedule import *  # noqa: F403
from .single_feature import *  # noqa: F403
from .task_train import *  # noqa: F403
from .train import *  # noqa: F403
from .visualise import *  # noqa: F403

__all__ = [*_circuit_train.__all__, *_task_train.__all__, *_dictionary.__all__, *_cooccurrence.__all__, *_gradient_flow.__all__, *_schedule.__all__, *_single_feature.__all__, *_train.__all__, *_visualise.__all__]
