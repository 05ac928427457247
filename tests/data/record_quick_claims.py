"""Write tests/data/quick_claims_record.json from the claims.json of ``incidental verify --quick --seed 0``.

Usage: python tests/data/record_quick_claims.py OUT/claims.json [--from "what was run"]
"""

import json
import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--from"):
        sys.exit("usage: python tests/data/record_quick_claims.py OUT/claims.json [--from TEXT]")
    run = json.loads(Path(sys.argv[1]).read_text())
    if run["tier"] != "quick" or run["seed"] != 0:
        sys.exit(f"need a quick run at seed 0, got tier {run['tier']!r}, seed {run['seed']!r}")
    record = {"recorded_from": sys.argv[3] if len(sys.argv) == 4 else f"code {run['code']}, verify --quick --seed 0",
              "environment": run["environment"],
              "claims": {r["id"]: {"measured": r["measured"], "predicted": r["predicted"], "status": r["status"]}
                         for r in sorted(run["claims"], key=lambda r: r["id"])}}
    (Path(__file__).parent / "quick_claims_record.json").write_text(json.dumps(record, indent=1) + "\n")
