/**
 * `terraform init` of a fresh stack folder spends most of its time installing the AWS provider and
 * checking its hashes. Stacks with the same provider requirements share one plugin set: once one
 * stack's init has installed it, the next stack's folder is seeded with that installation (links to
 * the installed provider folders, and the lock file), so its init finds the provider
 * in place and only initializes its own backend. Terraform still checks the seeded installation
 * against the lock file, as it would check its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SynthesizedStack } from './synthesized-stack';

const LOCK_FILE = '.terraform.lock.hcl';

/** The stack's provider requirements (sources and versions): what its plugin set depends on. */
export function providerRequirements(stackDir: string): string {
  return SynthesizedStack.read(stackDir).providerRequirements;
}

/** One run's initialized plugin sets, by provider requirements. */
export class InitTemplates {
  private readonly initialized = new Map<string, string>();
  /** Stack folders seeded from another stack's installation (for the run's progress line). */
  seeded = 0;

  /**
   * Seeds a stack folder that has no provider installation and no lock file of its own from an
   * initialized folder with the same requirements; true when it did.
   */
  seed(stackDir: string): boolean {
    const template = this.initialized.get(providerRequirements(stackDir));
    const providers = path.join(stackDir, '.terraform', 'providers');
    if (template === undefined || fs.existsSync(providers) || fs.existsSync(path.join(stackDir, LOCK_FILE)))
      return false;
    // host/namespace/type/version/platform: each platform folder linked to where the template's is
    // (the mirror's, or the template's own download), never copied (the AWS provider is 600 MB).
    const from = path.join(template, '.terraform', 'providers');
    for (const platform of leaves(from, 5)) {
      const link = path.join(providers, path.relative(from, platform));
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(fs.realpathSync(platform), link);
    }
    fs.copyFileSync(path.join(template, LOCK_FILE), path.join(stackDir, LOCK_FILE));
    this.seeded++;
    return true;
  }

  /** A stack folder whose init succeeded: its installation may seed the next ones. */
  record(stackDir: string): void {
    if (
      !fs.existsSync(path.join(stackDir, LOCK_FILE)) ||
      !fs.existsSync(path.join(stackDir, '.terraform', 'providers'))
    )
      return;
    const key = providerRequirements(stackDir);
    if (!this.initialized.has(key)) this.initialized.set(key, stackDir);
  }
}

/** The paths `depth` levels below `dir` (fewer when a branch ends sooner, which a seed then skips). */
function leaves(dir: string, depth: number): string[] {
  if (depth === 0) return [dir];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .flatMap((entry) => leaves(path.join(dir, entry.name), depth - 1));
}
