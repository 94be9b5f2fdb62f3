#!/usr/bin/env bash
# Runs a command with the machine's Terraform toolchain found: when SESFORM_PROVIDER_MIRROR is unset,
# looks for an unpacked provider mirror (a folder holding registry.terraform.io/hashicorp/aws/<version>)
# so that `terraform init` works without registry access. A machine with registry access needs none of it.
set -euo pipefail
if [ -z "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  for candidate in "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
    if [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then SESFORM_PROVIDER_MIRROR=$candidate; break; fi
  done
fi
if [ -z "${SESFORM_PROVIDER_MIRROR:-}" ]; then
  # A plugin cache (the cdktf CLI keeps one in ~/.terraform.d/plugin-cache) is not a mirror: Terraform
  # refuses to install from the cache it installs into.
  found=$(find / -xdev -maxdepth 6 -type d -path '*/registry.terraform.io/hashicorp/aws' -not -path '*/plugin-cache/*' 2>/dev/null | head -n 1 || true)
  [ -n "$found" ] && SESFORM_PROVIDER_MIRROR=${found%/registry.terraform.io/hashicorp/aws}
fi
if [ -n "${SESFORM_PROVIDER_MIRROR:-}" ]; then export SESFORM_PROVIDER_MIRROR; fi
export CHECKPOINT_DISABLE=1
# Chromium for the HTML report's browser tests (Debian's package; .ci/run installs it when missing).
if [ -z "${CHROMIUM_PATH:-}" ]; then
  CHROMIUM_PATH="$(command -v chromium || command -v chromium-browser || true)"
  [ -n "$CHROMIUM_PATH" ] && export CHROMIUM_PATH
fi
exec "$@"
