/**
 * Where the AWS provider may come from: discovery adopts only a mirror no other user could have
 * planted (never under a world-writable folder such as the temp folder, never in another user's
 * folder), a remembered mirror that is no longer trusted is not reused, and a fresh stack folder's lock
 * file carries the project's pinned checksum, so Terraform refuses a provider binary whose hash differs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../helpers/synth';
import {
  discoverMirror,
  providerMirror,
  resetProviderMirror,
  trustedFolder,
  trustedMirror,
} from '../../src/terraform/toolchain';
import { pinProviderChecksums, pinnedLockFile } from '../../src/terraform/provider-checksums';

const PROVIDER = path.join('registry.terraform.io', 'hashicorp', 'aws', '5.100.0');

/**
 * A folder tree in the home folder, owned by this user: not in the temp folder, which is
 * world-writable (and so may be a clone of the project).
 */
let home: string;
beforeEach(() => {
  fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
  home = fs.mkdtempSync(path.join(os.homedir(), '.cache', 'sesform-discovery-'));
  fs.chmodSync(home, 0o755);
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const mirrorAt = (dir: string, mode = 0o755) => {
  fs.mkdirSync(path.join(dir, PROVIDER), { recursive: true });
  fs.chmodSync(dir, mode);
  return dir;
};

test('a mirror under a world-writable folder is never adopted, nor anything below such a folder', () => {
  const open = path.join(home, 'open');
  fs.mkdirSync(open);
  fs.chmodSync(open, 0o777);
  const planted = mirrorAt(path.join(open, 'plugins'));
  expect(trustedFolder(open)).toBe(false);
  expect(trustedMirror(planted)).toBe(false);
  // The temp folder itself is world-writable: a mirror planted there is refused too.
  expect(trustedFolder(os.tmpdir())).toBe(false);
  const inTmp = mirrorAt(fs.mkdtempSync(path.join(os.tmpdir(), 'planted-')));
  try {
    expect(trustedMirror(inTmp)).toBe(false);
    expect(discoverMirror([inTmp, planted], home)).toBeUndefined();
  } finally {
    fs.rmSync(inTmp, { recursive: true, force: true });
  }
  const own = mirrorAt(path.join(home, 'own'));
  expect(discoverMirror([], home)).toBe(own);
});

test('a folder owned by another user is not trusted', () => {
  const theirs = mirrorAt(path.join(home, 'theirs'));
  const uid = fs.statSync(theirs).uid;
  // Seen as a user who is neither root nor the folder's owner.
  expect(trustedMirror(theirs, uid + 12345)).toBe(uid === 0);
  expect(trustedFolder(theirs, uid)).toBe(true);
});

test('a remembered mirror that is no longer trusted is looked for again, and the choice said', () => {
  const open = path.join(home, 'open');
  fs.mkdirSync(open);
  const remembered = mirrorAt(path.join(open, 'plugins'));
  fs.chmodSync(open, 0o777);
  const cache = path.join(home, 'toolchain.json');
  fs.writeFileSync(cache, JSON.stringify({ providerMirror: remembered }));
  const notes: string[] = [];
  const variable = process.env.SESFORM_PROVIDER_MIRROR;
  delete process.env.SESFORM_PROVIDER_MIRROR;
  resetProviderMirror();
  try {
    const own = mirrorAt(path.join(home, 'own'));
    const choice = providerMirror(
      cache,
      () => discoverMirror([], home),
      (text) => notes.push(text),
    );
    expect(choice).toEqual({ path: own, source: 'discovered' });
    expect(notes.join('')).toContain(`using the AWS provider mirror ${own}`);
  } finally {
    resetProviderMirror();
    if (variable !== undefined) process.env.SESFORM_PROVIDER_MIRROR = variable;
  }
});

describe('pinned provider checksums', () => {
  const stack = (version: string) => {
    const dir = path.join(home, `stack-${version}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'cdk.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version } } } }),
    );
    return dir;
  };

  test("a fresh stack folder's lock file pins the checksum the project commits for its version and platform", () => {
    const dir = stack('5.100.0');
    expect(pinnedLockFile(dir, 'linux_amd64')).toContain('"h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="');
    expect(pinnedLockFile(dir, 'linux_amd64')).toContain('version     = "5.100.0"');
    // Not pinned: another version, another platform, a range.
    expect(pinnedLockFile(stack('6.25.0'), 'linux_amd64')).toBeUndefined();
    expect(pinnedLockFile(dir, 'windows_386')).toBeUndefined();
    expect(pinnedLockFile(stack('>= 5.0'), 'linux_amd64')).toBeUndefined();
  });

  test('written only into a folder that has no lock file yet', () => {
    const dir = stack('5.100.0');
    const expected = pinnedLockFile(dir) !== undefined;
    expect(pinProviderChecksums(dir)).toBe(expected);
    expect(pinProviderChecksums(dir)).toBe(false);
  });
});

test('the script that starts npm start, npm test and the stock CLI says which mirror it uses, and points Terraform at it', () => {
  // This machine's own mirror (a fake one would rewrite the project's CLI config under running tests).
  resetProviderMirror();
  const mirror = providerMirror().path;
  const { SESFORM_PROVIDER_MIRROR: _mirror, TF_CLI_CONFIG_FILE: _config, ...inherited } = process.env;
  const run = spawnSync('bash', ['scripts/with-toolchain.sh', 'bash', '-c', 'echo "$TF_CLI_CONFIG_FILE"'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: inherited,
  });
  expect(run.status).toBe(0);
  if (mirror === undefined) {
    // A machine with registry access: nothing to say, and Terraform's own CLI config.
    expect(run.stderr).not.toContain('provider mirror');
    return;
  }
  expect(run.stderr).toMatch(
    /^with-toolchain: using the AWS provider mirror \S+ \((remembered in \.sesform\/toolchain\.json|found on this machine)/m,
  );
  expect(run.stdout.trim()).toBe(path.join(PROJECT_ROOT, '.sesform', 'terraform.rc'));
}, 60_000);
