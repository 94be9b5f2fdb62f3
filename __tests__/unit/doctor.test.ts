/**
 * `sesform doctor`: each check on inputs of the test's own (fake terraform and python binaries, a
 * mirror folder, environment variables), what it reports and what it says to do.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  credentialsCheck,
  doctorText,
  emulatorCheck,
  nodeCheck,
  providerCheck,
  terraformCheck,
} from '../../src/doctor';
import { discoverMirror, providerMirror, resetProviderMirror } from '../../src/terraform/toolchain';
import { BINDINGS_AWS_PROVIDER_VERSION } from '../../src/cdk/packages';
import { writeFiles } from '../helpers/synth';

/** An executable script that prints `output` and exits with `code`. */
function fakeBinary(dir: string, name: string, output: string, code = 0): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\nprintf '%s' '${output}'\nexit ${code}\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

test.each([
  ['18.19.0', 'fail', /install Node 22 or 24/],
  ['20.20.2', 'warn', /Node 20 reached end of life/],
  ['22.11.0', 'ok', undefined],
  ['24.1.0', 'ok', undefined],
])('node %s: %s', (version, status, fix) => {
  const check = nodeCheck(version);
  expect(check.status).toBe(status);
  if (fix) expect(check.fix).toMatch(fix);
  else expect(check.fix).toBeUndefined();
});

test('terraform: missing, too old for the S3 lock file, or fine', () => {
  const { dir, cleanup } = writeFiles({});
  try {
    expect(terraformCheck(path.join(dir, 'none'))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/SESFORM_TERRAFORM/),
    });
    const old = fakeBinary(dir, 'old', '{"terraform_version":"1.9.8"}');
    expect(terraformCheck(old)).toMatchObject({
      status: 'fail',
      found: `Terraform 1.9.8 (${old})`,
      fix: expect.stringMatching(/1\.10 or later: older versions ignore the S3 lock file/),
    });
    const fine = fakeBinary(dir, 'fine', '{"terraform_version":"1.11.4"}');
    expect(terraformCheck(fine)).toEqual({ name: 'terraform', status: 'ok', found: `Terraform 1.11.4 (${fine})` });
  } finally {
    cleanup();
  }
});

test('aws provider: the registry, a mirror with its versions, or a mirror that holds none', () => {
  expect(providerCheck({ source: 'registry' })).toMatchObject({
    status: 'ok',
    found: expect.stringMatching(/^from registry\.terraform\.io/),
  });
  const { dir, cleanup } = writeFiles({
    'mirror/registry.terraform.io/hashicorp/aws/5.100.0/.keep': '',
    [`mirror/registry.terraform.io/hashicorp/aws/${BINDINGS_AWS_PROVIDER_VERSION}/.keep`]: '',
    'empty/.keep': '',
  });
  try {
    expect(providerCheck({ path: path.join(dir, 'mirror'), source: 'variable' })).toMatchObject({
      status: 'ok',
      found: `mirror ${path.join(dir, 'mirror')} (SESFORM_PROVIDER_MIRROR): ${BINDINGS_AWS_PROVIDER_VERSION}, 5.100.0; local mode pins ${BINDINGS_AWS_PROVIDER_VERSION}`,
    });
    fs.rmSync(path.join(dir, `mirror/registry.terraform.io/hashicorp/aws/${BINDINGS_AWS_PROVIDER_VERSION}`), {
      recursive: true,
    });
    expect(providerCheck({ path: path.join(dir, 'mirror'), source: 'variable' })).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining(`lacks ${BINDINGS_AWS_PROVIDER_VERSION}, the version stacks pin on AWS`),
    });
    expect(providerCheck({ path: path.join(dir, 'empty'), source: 'cache' })).toMatchObject({ status: 'fail' });
  } finally {
    cleanup();
  }
});

test('emulator: a Python with a supported moto, another moto, or none', () => {
  const { dir, cleanup } = writeFiles({});
  try {
    expect(emulatorCheck(fakeBinary(dir, 'py-ok', '5.2.1\n'))).toMatchObject({
      status: 'ok',
      found: expect.stringMatching(/^moto 5\.2\.1/),
    });
    expect(emulatorCheck(fakeBinary(dir, 'py-new', '5.3.0\n'))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/install moto>=5\.2,<5\.3/),
    });
    expect(emulatorCheck(path.join(dir, 'no-python'))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/SESFORM_PYTHON/),
    });
  } finally {
    cleanup();
  }
});

test('credentials are named by their variables, never shown', () => {
  const check = credentialsCheck({
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY',
    AWS_SECRET_ACCESS_KEY: 'very-secret',
    AWS_SESSION_TOKEN: 't0ken',
  });
  expect(check).toMatchObject({
    status: 'ok',
    found: expect.stringMatching(/^access keys \(AWS_ACCESS_KEY_ID with a session token\)/),
  });
  expect(JSON.stringify(check)).not.toMatch(/AKIAEXAMPLEKEY|very-secret|t0ken/);
  expect(credentialsCheck({})).toMatchObject({ status: 'warn', fix: expect.stringMatching(/--local needs none/) });
});

test('the report: one line per check, what to do under a failing one, and a verdict', () => {
  const text = doctorText([
    { name: 'node', status: 'ok', found: 'Node 22.11.0' },
    {
      name: 'terraform',
      status: 'fail',
      found: 'no terraform at "terraform"',
      fix: 'install Terraform 1.10 or later.',
    },
  ]);
  expect(text).toBe(
    'ok    node          Node 22.11.0\nFAIL  terraform     no terraform at "terraform"\n                    -> install Terraform 1.10 or later.\n1 check(s) failed: see "->" for what to do.\n',
  );
});

describe('the provider mirror, found once and remembered', () => {
  const saved = process.env.SESFORM_PROVIDER_MIRROR;
  beforeEach(() => {
    delete process.env.SESFORM_PROVIDER_MIRROR;
    resetProviderMirror();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SESFORM_PROVIDER_MIRROR;
    else process.env.SESFORM_PROVIDER_MIRROR = saved;
    resetProviderMirror();
  });

  test('found by the scan on the first run (with a note saying where), then read from the cache without a scan', () => {
    // In the home folder: the temp folder (and a clone of the project in it) is world-writable, and
    // discovery never adopts a mirror below such a folder.
    fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(os.homedir(), '.cache', 'sesform-mirror-'));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'opt/tf/registry.terraform.io/hashicorp/aws/5.100.0'), { recursive: true });
    const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
      const cache = path.join(dir, '.sesform', 'toolchain.json');
      const notes: string[] = [];
      let scans = 0;
      const discover = () => {
        scans++;
        return discoverMirror([path.join(dir, 'nowhere'), path.join(dir, 'opt', 'tf')], dir);
      };
      expect(providerMirror(cache, discover, (text) => notes.push(text))).toEqual({
        path: path.join(dir, 'opt', 'tf'),
        source: 'discovered',
      });
      expect(notes).toEqual([
        expect.stringContaining(
          `using the AWS provider mirror ${path.join(dir, 'opt', 'tf')} (found on this machine, remembered in`,
        ),
      ]);
      resetProviderMirror();
      expect(providerMirror(cache, discover, (text) => notes.push(text))).toEqual({
        path: path.join(dir, 'opt', 'tf'),
        source: 'cache',
      });
      expect([scans, notes.length]).toEqual([1, 1]);
      // The variable always wins.
      process.env.SESFORM_PROVIDER_MIRROR = '/elsewhere';
      expect(providerMirror(cache, discover)).toEqual({ path: '/elsewhere', source: 'variable' });
    } finally {
      cleanup();
    }
  });

  test('a remembered mirror that is gone is looked for again; none found means the registry, remembered too', () => {
    const { dir, cleanup } = writeFiles({ '.sesform/toolchain.json': JSON.stringify({ providerMirror: '/gone' }) });
    try {
      const cache = path.join(dir, '.sesform', 'toolchain.json');
      expect(
        providerMirror(
          cache,
          () => undefined,
          () => undefined,
        ),
      ).toEqual({ source: 'registry' });
      expect(JSON.parse(fs.readFileSync(cache, 'utf8'))).toEqual({ providerMirror: null });
    } finally {
      cleanup();
    }
  });
});
