"""The claims ledger: every claim, the paper's or ours, with its theory prediction, its
independent check and its test. Importing this module registers every topic's claims.

Topics: ``claims_derivations`` (every sympy derivation), ``claims_model`` (loss, gradient, forces, optimisers), ``claims_collisions`` (n²/(4m)),
``claims_collision_training`` (sharing and winners in trained models), ``claims_cooccurrence``
(co-occurring features), ``claims_diagnosis`` (reading incidental polysemanticity off trained weights),
``claims_mitigations`` (levers against it),
``claims_noise`` (hidden noise, kurtosis), ``claims_noise_dynamics`` and ``claims_noise_speed``
(the fourth norm under SGD with noise), ``claims_single_feature`` (one feature under L1,
two features on one neuron).
"""

from . import (  # noqa: F401  (importing registers the claims)
    claims_collision_training,
    claims_collisions,
    claims_cooccurrence,
    claims_derivations,
    claims_diagnosis,
    claims_mitigations,
    claims_model,
    claims_noise,
    claims_noise_dynamics,
    claims_noise_speed,
    claims_single_feature,
)
from .ledger import CLAIMS, Claim, Outcome, claim, run_claim, select_claims, within

__all__ = ["CLAIMS", "Claim", "Outcome", "claim", "run_claim", "select_claims", "within"]
