/**
 * Every `SESFORM_*` variable sesform reads, and the paths of its own files, in one place. Values are
 * read when asked for (not at import), so a test or a wrapper script may set them first. README's
 * "Configuration" section lists the same variables.
 */
import * as path from 'node:path';

/** The variables, by what they configure. */
export const SESFORM_VARIABLES = {
  /** The environment files' folder (`--environments` wins). */
  environments: 'SESFORM_ENVIRONMENTS',
  /** The emulator's loopback address for `--local` (`--endpoint` wins), and local mode for the stock cdktf CLI. */
  localEndpoint: 'SESFORM_LOCAL_ENDPOINT',
  /** An unpacked provider mirror (a folder holding `registry.terraform.io/hashicorp/aws/<version>/`). */
  providerMirror: 'SESFORM_PROVIDER_MIRROR',
  /** The AWS provider version local mode pins (default: the mirror's newest). */
  localProviderVersion: 'SESFORM_LOCAL_PROVIDER_VERSION',
  /** The terraform binary (default: `terraform` on the PATH). */
  terraform: 'SESFORM_TERRAFORM',
  /** The Python that runs the emulator (default: `python3`). */
  python: 'SESFORM_PYTHON',
  /** The first retry delay of a transient failure, in milliseconds (default 2000). */
  retryBaseMs: 'SESFORM_RETRY_BASE_MS',
  /** `0` turns off the one provider process per stack's plan and show. */
  sharedProvider: 'SESFORM_SHARED_PROVIDER',
  /** `0` turns off the pool's schema cache: every terraform process asks the provider for its schema. */
  schemaCache: 'SESFORM_SCHEMA_CACHE',
} as const;

type Variable = keyof typeof SESFORM_VARIABLES;

/** The variable's value, or undefined when unset or empty. */
export function setting(variable: Variable): string | undefined {
  const value = process.env[SESFORM_VARIABLES[variable]];
  return value === undefined || value === '' ? undefined : value;
}

/** Where sesform keeps its own files (ignored by git), relative to the working directory. */
export const WORK_DIR = '.sesform';

/** sesform's own files under `WORK_DIR`. */
export const WORK_PATHS = {
  /** Saved plans of real runs. */
  plans: path.join(WORK_DIR, 'plans'),
  /** Saved plans of local-mode runs. */
  localPlans: path.join(WORK_DIR, 'local', 'plans'),
  /** Local-mode stacks, apart from the real ones in cdktf.out. */
  localOutdir: path.join(WORK_DIR, 'local', 'cdktf.out'),
  /** The bootstrap stack's folder and local state (`local` in local mode). */
  bootstrap: path.join(WORK_DIR, 'bootstrap'),
  localBootstrap: path.join(WORK_DIR, 'local-bootstrap'),
  /** The Terraform CLI config that points at the provider mirror. */
  terraformRc: path.join(WORK_DIR, 'terraform.rc'),
  /** The provider mirror found on this machine, remembered (see src/terraform/toolchain.ts). */
  toolchain: path.join(WORK_DIR, 'toolchain.json'),
} as const;
