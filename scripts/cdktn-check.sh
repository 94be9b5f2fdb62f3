#!/usr/bin/env bash
# The tested path off the deprecated CDK for Terraform: switches a scratch copy of the project to CDK
# Terrain (cdktn) exactly as docs/cdk-terrain.md tells a team to (src/cdk/ and package.json, nothing
# else), installs it from the npm registry, runs the unit tests on Node 22 (cdktn 0.24 needs it),
# synthesizes the samples with both CDKs and compares every stack's JSON (scripts/compare-synth.js).
#   bash scripts/cdktn-check.sh            # the scratch copy is removed afterwards
#   SESFORM_CDKTN_DIR=/tmp/x bash scripts/cdktn-check.sh   # kept in /tmp/x
set -euo pipefail
project=$(cd "$(dirname "$0")/.." && pwd)
# CDK Terrain's releases that match ours: cdktn 0.24 (the only line on the registry) with the provider
# bindings of its own line closest to the AWS provider sesform's bindings were generated from.
CDKTN_VERSION=${SESFORM_CDKTN_VERSION:-0.24.0}
CDKTN_PROVIDER_AWS_VERSION=${SESFORM_CDKTN_PROVIDER_AWS_VERSION:-25.5.0}
CONSTRUCTS_VERSION=10.6.0
scratch=${SESFORM_CDKTN_DIR:-$(mktemp -d -t sesform-cdktn.XXXXXX)}
[ -n "${SESFORM_CDKTN_DIR:-}" ] || trap 'rm -rf "$scratch"' EXIT
copy="$scratch/project"
rm -rf "$copy" && mkdir -p "$copy"

echo "cdktn-check: copying the project (tracked and new files) into $copy" >&2
(cd "$project" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  # A tracked file deleted in the working tree is left out, as a commit of the tree would.
  if [ -e "$file" ]; then cp --parents "$file" "$copy"; fi
done)

echo "cdktn-check: switching src/cdk/ and package.json to cdktn $CDKTN_VERSION, @cdktn/provider-aws $CDKTN_PROVIDER_AWS_VERSION" >&2
sed -i -e "s#'cdktf'#'cdktn'#g; s#'cdktf/lib/#'cdktn/lib/#g; s#'@cdktf/provider-aws#'@cdktn/provider-aws#g" \
  -e "s#{ package: 'cdktf-cli', command: 'cdktf' }#{ package: 'cdktn-cli', command: 'cdktn' }#" "$copy"/src/cdk/*.ts
node - "$copy/package.json" "$CDKTN_VERSION" "$CDKTN_PROVIDER_AWS_VERSION" "$CONSTRUCTS_VERSION" <<'NODE'
const fs = require('node:fs');
const [file, cdktn, providerAws, constructs] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
delete pkg.dependencies.cdktf;
delete pkg.dependencies['@cdktf/provider-aws'];
delete pkg.devDependencies['cdktf-cli'];
Object.assign(pkg.dependencies, { cdktn, '@cdktn/provider-aws': providerAws, constructs });
pkg.devDependencies['cdktn-cli'] = cdktn;
// `npm run cdktf -- synth` (the stock CLI with sesform's toolchain) becomes `npm run cdktn -- synth`.
if (pkg.scripts.cdktf !== undefined) {
  pkg.scripts.cdktn = pkg.scripts.cdktf.replace(/ cdktf$/, ' cdktn');
  delete pkg.scripts.cdktf;
}
fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
NODE
if grep -rqE "'(cdktf|@cdktf/provider-aws)[/']" "$copy/src/cdk"; then
  echo "cdktn-check: src/cdk/ still imports cdktf after the switch" >&2
  exit 1
fi

cd "$copy"
echo "cdktn-check: npm install on Node 22 (the lock file keeps every other package where it is)" >&2
bash scripts/with-node.sh 22 npm install --no-audit --no-fund >&2

echo "cdktn-check: unit tests on Node 22 with cdktn" >&2
bash scripts/with-node.sh 22 npx jest --selectProjects unit

echo "cdktn-check: the samples, synthesized by each CDK" >&2
(cd "$project" && node bin/sesform.js synth --output "$scratch/cdktf.out" >&2)
bash scripts/with-node.sh 22 node bin/sesform.js synth --output "$scratch/cdktn.out" >&2
# The stock CLI of the switched copy (its call home turned off by the script) writes the same stacks.
bash scripts/with-node.sh 22 env CI=true \
  npm run -s cdktn -- synth --output "$scratch/cdktn-cli.out" >&2
node "$project/scripts/compare-synth.js" "$scratch/cdktf.out" "$scratch/cdktn.out" "$scratch/cdktn-cli.out"
