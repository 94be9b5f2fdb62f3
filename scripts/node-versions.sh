#!/usr/bin/env bash
# The Node versions users run, beside the machine's own: on each, the unit tests and one end-to-end
# rollout (`npm start`: the samples on the emulator, with real Terraform, verified). The runtimes come
# from the npm registry into a cache folder (scripts/with-node.sh), never into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in ${SESFORM_NODE_VERSIONS:-22 24}; do
  echo "== Node $major: unit tests" >&2
  bash scripts/with-node.sh "$major" npx jest --selectProjects unit
  echo "== Node $major: npm start (one rollout end to end)" >&2
  bash scripts/with-node.sh "$major" npm start
done
