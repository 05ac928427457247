"""The claims ledger: every claim, the paper's or ours, with its theory prediction, its
independent check and its test. Importing this module registers every topic's claims.

The machinery (``Claim``, ``Outcome``, the registry) is in ``core``, the runner in ``runner``, the report writer in
``report``; one module
per topic holds its claims: ``derivations`` (every sympy derivation), ``model`` (loss, gradient, forces,
optimisers), ``collisions`` (n²/(4m)), ``collision_training`` (sharing and winners in trained models),
``cooccurrence`` (co-occurring features), ``diagnosis`` (reading incidental polysemanticity off trained
weights), ``evidence`` (feature visualisation and sparse dictionaries checked against known features), ``mitigations`` (levers against it), ``noise`` (hidden noise, kurtosis), ``noise_dynamics`` and
``noise_speed`` (the fourth norm under SGD with noise), ``single_feature`` (one feature under L1, two
features on one neuron).
"""

from .core import CLAIMS, Claim, Outcome, claim, run_claim, select_claims, within
from .runner import TOPICS, expected_seconds, run_claims  # importing the runner registers every claim

__all__ = ["CLAIMS", "TOPICS", "Claim", "Outcome", "claim", "expected_seconds", "run_claim", "run_claims",
           "select_claims", "within"]
