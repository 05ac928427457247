"""Studies: parameters and ``rng`` in, arrays out; no I/O, no plots, no predictions. Each function trains
models and measures them; sweeps, figures and ledger claims call these:

* the paper's tied model: ``collisions``, ``cooccurrence``, ``diagnosis``, ``mitigations``, ``noise``,
  ``noise_drift``, ``sparsity``;
* the evidence of interpretability methods: ``dictionary`` (sparse dictionaries of trained models'
  activations), ``feature_visualisation`` (facets against known ± neurons);
* two hidden layers: ``circuits`` (pairs per weight, spurious connections, the circuit report);
* networks trained on tasks: ``task_network`` (digits: polysemantic counts, selectivity, accuracy),
  ``neuron_measures`` (a neuron's feature set by activations, weights and facets against the synthetic task's
  known features), ``synthetic_law`` (the count of networks trained on known sparse features against the toy law).
"""

from . import circuits as _circuits, collisions as _collisions, cooccurrence as _cooccurrence, diagnosis as _diagnosis, dictionary as _dictionary, feature_visualisation as _feature_visualisation, mitigations as _mitigations, noise as _noise, noise_drift as _noise_drift, sparsity as _sparsity, task_network as _task_network, neuron_measures as _neuron_measures, synthetic_law as _synthetic_law
from .circuits import *  # noqa: F403
from .collisions import *  # noqa: F403
from .cooccurrence import *  # noqa: F403
from .diagnosis import *  # noqa: F403
from .dictionary import *  # noqa: F403
from .feature_visualisation import *  # noqa: F403
from .mitigations import *  # noqa: F403
from .noise import *  # noqa: F403
from .neuron_measures import *  # noqa: F403
from .noise_drift import *  # noqa: F403
from .sparsity import *  # noqa: F403
from .synthetic_law import *  # noqa: F403
from .task_network import *  # noqa: F403

__all__ = [*_circuits.__all__, *_feature_visualisation.__all__, *_dictionary.__all__, *_collisions.__all__, *_cooccurrence.__all__, *_diagnosis.__all__, *_mitigations.__all__, *_noise.__all__, *_noise_drift.__all__, *_sparsity.__all__, *_task_network.__all__, *_neuron_measures.__all__, *_synthetic_law.__all__]
