"""Measurements: pure functions of weights (and their starts). Per-neuron and per-feature metrics
(``metrics``), the geometry of solutions (``structures``), occupancy against independent placement
(``occupancy``), the facets of a feature visualisation (``facets``), a dictionary's latents
matched to known features (``dictionary_match``), the diagnosis and repair of incidental neurons (``diagnosis``), Monte Carlo of the
collision idealisations (``idealisations``) and summary statistics (``statistics``).
"""

from . import circuits as _circuits, diagnosis as _diagnosis, dictionary_match as _dictionary_match, facets as _facets, idealisations as _idealisations, metrics as _metrics, neurons as _neurons, occupancy as _occupancy, statistics as _statistics, structures as _structures
from .circuits import *  # noqa: F403
from .diagnosis import *  # noqa: F403
from .dictionary_match import *  # noqa: F403
from .facets import *  # noqa: F403
from .idealisations import *  # noqa: F403
from .metrics import *  # noqa: F403
from .neurons import *  # noqa: F403
from .occupancy import *  # noqa: F403
from .statistics import *  # noqa: F403
from .structures import *  # noqa: F403

__all__ = [*_circuits.__all__, *_neurons.__all__, *_dictionary_match.__all__, *_diagnosis.__all__, *_facets.__all__, *_idealisations.__all__, *_metrics.__all__, *_occupancy.__all__, *_statistics.__all__, *_structures.__all__]
