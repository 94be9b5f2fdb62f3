/**
 * `sesform doctor`: what this machine gives sesform, each check with what to do when it fails:
 * Node, Terraform (>= 1.10, for the S3 lock file), where the AWS provider comes from (registry or an
 * offline mirror, and its versions), Python and moto for the emulator, and the AWS credentials in
 * use (variable names only, never values). Reads only; starts nothing but `--version` probes.
 */
import { spawnSync } from 'node:child_process';
import { setting, SESFORM_VARIABLES } from './config';
import { BINDINGS_AWS_PROVIDER_VERSION } from './cdk/packages';
import { compareVersions, mirroredAwsVersions } from './terraform/terraform';
import { MirrorChoice, providerMirror } from './terraform/toolchain';

const MIRROR_SOURCES: Readonly<Record<MirrorChoice['source'], string>> = {
  variable: 'SESFORM_PROVIDER_MIRROR',
  cache: 'found on this machine earlier, remembered in .sesform/toolchain.json',
  discovered: 'found on this machine now, remembered in .sesform/toolchain.json',
  registry: 'none',
};

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly found: string;
  /** What to do, for warn and fail. */
  readonly fix?: string;
}

/** The oldest Terraform that reads `use_lockfile` (S3-native state locking). */
export const MIN_TERRAFORM = '1.10';
/** The moto releases the emulator's launcher supports (src/emulator/moto_ses.py SUPPORTED_MOTO). */
export const SUPPORTED_MOTO = { low: '5.2', high: '5.3' } as const;

function run(command: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

export function nodeCheck(version = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  if (major < 20)
    return {
      name: 'node',
      status: 'fail',
      found: `Node ${version}`,
      fix: 'install Node 22 or 24 (sesform needs 20 or later).',
    };
  if (major === 20)
    return {
      name: 'node',
      status: 'warn',
      found: `Node ${version}`,
      fix: 'Node 20 reached end of life in April 2026: move to Node 22 or 24 (sesform runs on both).',
    };
  return { name: 'node', status: 'ok', found: `Node ${version}` };
}

export function terraformCheck(binary = setting('terraform') ?? 'terraform'): Check {
  const result = run(binary, ['version', '-json']);
  if (!result.ok)
    return {
      name: 'terraform',
      status: 'fail',
      found: `no terraform at "${binary}"`,
      fix: `install Terraform ${MIN_TERRAFORM} or later on the PATH, or point ${SESFORM_VARIABLES.terraform} at it.`,
    };
  const version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version ?? '?';
  if (compareVersions(version, MIN_TERRAFORM) < 0)
    return {
      name: 'terraform',
      status: 'fail',
      found: `Terraform ${version} (${binary})`,
      fix: `install Terraform ${MIN_TERRAFORM} or later: older versions ignore the S3 lock file (use_lockfile) the stacks rely on.`,
    };
  return { name: 'terraform', status: 'ok', found: `Terraform ${version} (${binary})` };
}

export function providerCheck(choice: MirrorChoice = providerMirror()): Check {
  const mirror = choice.path;
  if (mirror === undefined)
    return {
      name: 'aws provider',
      status: 'ok',
      found: `from registry.terraform.io (no mirror on this machine; needs network at terraform init); stacks pin ${BINDINGS_AWS_PROVIDER_VERSION} unless awsProviderVersion says otherwise`,
    };
  const versions = mirroredAwsVersions(mirror);
  if (versions.length === 0)
    return {
      name: 'aws provider',
      status: 'fail',
      found: `the mirror ${mirror} (${MIRROR_SOURCES[choice.source]}) holds no registry.terraform.io/hashicorp/aws/<version>`,
      fix: `point ${SESFORM_VARIABLES.providerMirror} at an unpacked mirror (terraform providers mirror DIR), or unset it to use the registry.`,
    };
  const local = setting('localProviderVersion') ?? versions[0];
  return {
    name: 'aws provider',
    status: versions.includes(BINDINGS_AWS_PROVIDER_VERSION) ? 'ok' : 'warn',
    found: `mirror ${mirror} (${MIRROR_SOURCES[choice.source]}): ${versions.join(', ')}; local mode pins ${local}`,
    ...(versions.includes(BINDINGS_AWS_PROVIDER_VERSION)
      ? {}
      : {
          fix: `the mirror lacks ${BINDINGS_AWS_PROVIDER_VERSION}, the version stacks pin on AWS: add it to the mirror, or set awsProviderVersion in the environment files to one it holds.`,
        }),
  };
}

export function emulatorCheck(python = setting('python') ?? 'python3'): Check {
  const result = run(python, ['-c', 'import moto, werkzeug; print(moto.__version__)']);
  const range = `>=${SUPPORTED_MOTO.low},<${SUPPORTED_MOTO.high}`;
  if (!result.ok)
    return {
      name: 'emulator',
      status: 'fail',
      found: /No module named|ModuleNotFoundError/.test(result.stderr)
        ? `${python} has no moto`
        : `no Python at "${python}"`,
      fix: `pip install 'moto[server]${range}' for ${python}, or point ${SESFORM_VARIABLES.python} at a Python that has it (local mode and npm start need it; AWS does not).`,
    };
  const version = result.stdout.trim();
  const supported =
    compareVersions(version, SUPPORTED_MOTO.low) >= 0 && compareVersions(version, SUPPORTED_MOTO.high) < 0;
  if (!supported)
    return {
      name: 'emulator',
      status: 'fail',
      found: `moto ${version} (${python})`,
      fix: `install moto${range}: the emulator's launcher extends moto's internals of that release.`,
    };
  return { name: 'emulator', status: 'ok', found: `moto ${version} (${python})` };
}

/** The AWS identity sources in the environment, by variable name only. */
export function credentialsCheck(env: NodeJS.ProcessEnv = process.env): Check {
  const present = (name: string) => env[name] !== undefined && env[name] !== '';
  const sources = [
    present('AWS_ACCESS_KEY_ID') &&
      `access keys (AWS_ACCESS_KEY_ID${present('AWS_SESSION_TOKEN') ? ' with a session token' : ''})`,
    present('AWS_PROFILE') && `profile ${env.AWS_PROFILE}`,
    present('AWS_WEB_IDENTITY_TOKEN_FILE') && 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE, as in GitHub Actions OIDC)',
    present('AWS_CONTAINER_CREDENTIALS_FULL_URI') || present('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
      ? 'container credentials'
      : false,
  ].filter((source): source is string => typeof source === 'string');
  if (sources.length === 0)
    return {
      name: 'credentials',
      status: 'warn',
      found: 'no AWS credentials in the environment (a shared config file or instance role may still provide some)',
      fix: 'for AWS, give credentials that may assume the deploy roles (the pipeline role); --local needs none.',
    };
  return { name: 'credentials', status: 'ok', found: `${sources.join('; ')}; local mode ignores them` };
}

export function doctorChecks(): Check[] {
  return [nodeCheck(), terraformCheck(), providerCheck(), emulatorCheck(), credentialsCheck()];
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function doctorText(checks: readonly Check[]): string {
  const lines = checks.flatMap((check) => [
    `${MARK[check.status]}  ${check.name.padEnd(13)} ${check.found}`,
    ...(check.fix ? [`      ${''.padEnd(13)} -> ${check.fix}`] : []),
  ]);
  const failed = checks.filter((check) => check.status === 'fail').length;
  lines.push(failed === 0 ? 'Ready.' : `${failed} check(s) failed: see "->" for what to do.`);
  return `${lines.join('\n')}\n`;
}
