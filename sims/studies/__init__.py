"""Studies: parameters and ``rng`` in, arrays out; no I/O, no plots, no predictions. Each function trains
models and measures them; sweeps, figures and ledger claims call these (``collisions``, ``cooccurrence``,
``diagnosis``, ``dictionary`` (sparse dictionaries of trained models' activations), ``feature_visualisation``
(facets against known ± neurons), ``mitigations``, ``noise``, ``noise_drift``, ``sparsity``, ``task_network`` (networks trained on
the digits: polysemantic counts, selectivity, accuracy), ``neuron_measures`` (a task neuron's feature set read
by activations, weights and facets, scored against the known features of the synthetic task)).
"""

from . import circuits as _circuits, collisions as _collisions, cooccurrence as _cooccurrence, diagnosis as _diagnosis, dictionary as _dictionary, feature_visualisation as _feature_visualisation, mitigations as _mitigations, noise as _noise, noise_drift as _noise_drift, sparsity as _sparsity, task_network as _task_network, neuron_measures as _neuron_measures
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
from .task_network import *  # noqa: F403

__all__ = [*_circuits.__all__, *_feature_visualisation.__all__, *_dictionary.__all__, *_collisions.__all__, *_cooccurrence.__all__, *_diagnosis.__all__, *_mitigations.__all__, *_noise.__all__, *_noise_drift.__all__, *_sparsity.__all__, *_task_network.__all__, *_neuron_measures.__all__]
