#!/usr/bin/env bash
# Offline checks of the deployment files (no Docker engine needed): every GitHub workflow against
# the workflow schema (action-validator), and docker-compose.yml with a compose linter (dclint).
# The compose file's build contexts and environments are checked against each service's own
# configuration schema by client/test/deployFiles.test.ts, part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

for workflow in .github/workflows/*.yml; do
  echo "action-validator $workflow"
  npx --no-install action-validator "$workflow"
done
echo "dclint docker-compose.yml"
npx --no-install dclint docker-compose.yml
