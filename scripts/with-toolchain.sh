#!/usr/bin/env bash
# Runs a command with the machine's Terraform toolchain found: when SESFORM_PROVIDER_MIRROR is unset,
# looks for an unpacked provider mirror (a folder holding registry.terraform.io/hashicorp/aws/<version>)
# so that `terraform init` works without registry access. A machine with registry access needs none of it.
set -euo pipefail
project=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  # Where sesform remembered the mirror it found (src/terraform/toolchain.ts), if it still is one.
  remembered=$(node -e 'try { const m = require(process.argv[1]).providerMirror; if (typeof m === "string") process.stdout.write(m); } catch {}' \
    "$project/.sesform/toolchain.json" 2>/dev/null || true)
  if [ -n "$remembered" ] && [ -d "$remembered/registry.terraform.io/hashicorp/aws" ]; then
    SESFORM_PROVIDER_MIRROR=$remembered
    how="remembered in .sesform/toolchain.json; delete it to look again"
  fi
fi
if [ -z "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  for candidate in "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
    if [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then
      SESFORM_PROVIDER_MIRROR=$candidate
      how="found on this machine"
      break
    fi
  done
fi
if [ -z "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  # A plugin cache (the cdktf CLI keeps one in ~/.terraform.d/plugin-cache) is not a mirror: Terraform
  # refuses to install from the cache it installs into. The provider runs with the deploy role's
  # credentials, so folders another user could have planted are never searched: world-writable ones
  # (the temp folders) and folders owned by anyone but root or this user are pruned with all below them.
  me=$(id -u)
  found=$(find / -xdev -maxdepth 6 -type d \( -perm -0002 -o ! \( -user 0 -o -user "$me" \) \) -prune \
    -o -type d -path '*/registry.terraform.io/hashicorp/aws' -not -path '*/plugin-cache/*' -print 2>/dev/null | head -n 1 || true)
  if [ -n "$found" ]; then
    SESFORM_PROVIDER_MIRROR=${found%/registry.terraform.io/hashicorp/aws}
    how="found on this machine"
  fi
fi
# Every entry point says where the mirror came from (sesform itself then takes the variable as given).
if [ -n "${how:-}" ]; then
  echo "with-toolchain: using the AWS provider mirror $SESFORM_PROVIDER_MIRROR ($how; SESFORM_PROVIDER_MIRROR chooses another)" >&2
fi
if [ -n "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  export SESFORM_PROVIDER_MIRROR
  # Terraform started by anything but sesform (the stock cdktf CLI: `npm run cdktf -- plan STACK`)
  # finds the mirror through a CLI config: sesform's own, written by the built terraform module.
  if (cd "$project" && node -e 'require(process.argv[1]).terraformEnvironment()' "$project/dist/src/terraform/terraform.js") 2>/dev/null; then
    export TF_CLI_CONFIG_FILE="$project/.sesform/terraform.rc"
  fi
fi
# Terraform's and the stock cdktf CLI's calls home (checkpoint-api.hashicorp.com): never made.
export CHECKPOINT_DISABLE=1
# Chromium for the HTML report's browser tests (Debian's package; .ci/run installs it when missing).
if [ -z "${CHROMIUM_PATH:-}" ]; then
  CHROMIUM_PATH="$(command -v chromium || command -v chromium-browser || true)"
  [ -n "$CHROMIUM_PATH" ] && export CHROMIUM_PATH
fi
exec "$@"
