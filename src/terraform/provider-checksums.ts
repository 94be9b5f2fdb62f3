/**
 * The provider checksums this project pins (provider-checksums.json, committed): before a stack
 * folder's first `terraform init`, sesform writes its lock file with the pinned checksum of the AWS
 * provider version and platform the stack needs, so Terraform itself refuses a provider binary whose
 * hash differs (a planted or corrupted mirror). Versions and platforms without a pin are installed as
 * Terraform records them. Regenerate a pin with
 *   terraform providers lock -fs-mirror=<mirror> -platform=<platform> hashicorp/aws
 * in a folder whose configuration requires that version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SynthesizedStack } from './synthesized-stack';
import PINS from './provider-checksums.json';

const AWS = 'registry.terraform.io/hashicorp/aws';
const LOCK_FILE = '.terraform.lock.hcl';

/** This machine's platform as Terraform names it (linux_amd64). */
export function terraformPlatform(): string {
  const arch = { x64: 'amd64', arm64: 'arm64', ia32: '386' }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The lock file text pinning the stack's AWS provider, when its exact version and this platform are pinned. */
export function pinnedLockFile(stackDir: string, platform = terraformPlatform()): string | undefined {
  const required = SynthesizedStack.read(stackDir).awsProviderRequirement;
  const version = required?.version;
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) return undefined;
  const hash = (PINS as Record<string, Record<string, Record<string, string>>>)[AWS]?.[version]?.[platform];
  if (hash === undefined) return undefined;
  return `# Written by sesform from its pinned provider checksums (src/terraform/provider-checksums.json).

provider "${AWS}" {
  version     = "${version}"
  constraints = "${version}"
  hashes = [
    "${hash}",
  ]
}
`;
}

/** Writes the pinned lock file into a stack folder that has none yet; true when it did. */
export function pinProviderChecksums(stackDir: string): boolean {
  const file = path.join(stackDir, LOCK_FILE);
  if (fs.existsSync(file)) return false;
  const lock = pinnedLockFile(stackDir);
  if (lock === undefined) return false;
  fs.writeFileSync(file, lock);
  return true;
}
