import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { STOCK_CLI } from '../../src/cdk/packages';
import { main } from '../../src/cli';
import { PROJECT_ROOT, environmentYaml, writeFiles } from '../helpers/synth';

const SAMPLES = path.join(PROJECT_ROOT, 'environments');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  out.on('data', (chunk) => (chunks.stdout += chunk));
  err.on('data', (chunk) => (chunks.stderr += chunk));
  const code = await main(argv, out, err);
  return { code, ...chunks };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-out-'));
}

function stackFiles(outdir: string): Record<string, string> {
  const stacksDir = path.join(outdir, 'stacks');
  return Object.fromEntries(
    fs.readdirSync(stacksDir).map((name) => [name, fs.readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8')]),
  );
}

test('--version prints the version of package.json, and nothing else', async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const { code, stdout, stderr } = await run(flag);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `sesform ${version}\n`, stderr: '' });
  }
});

describe('sesform validate', () => {
  test('warnings carry file:line:column like errors (a base file once, naming who inherits it), in --json too', async () => {
    const { dir, cleanup } = writeFiles({
      '_base.yaml': `configurationSets:
  - name: shared
    eventDestinations:
      - name: by-header
        eventTypes: [send]
        cloudWatch:
          dimensions: [{ name: X-Team, source: emailHeader, defaultValue: none }]
`,
      'one.yaml': `extends: _base.yaml\n${environmentYaml('one', '740000000021')}`,
      'two.yaml': `extends: _base.yaml\n${environmentYaml('two', '740000000022')}`,
      'own.yaml': `${environmentYaml('own', '740000000023')}configurationSets:
  - name: mine
    eventDestinations:
      - name: d
        eventTypes: [send]
        cloudWatch:
          dimensions:
            - { name: ses:from-domain, source: messageTag, defaultValue: unknown }
`,
    });
    try {
      const text = await run('validate', '--environments', dir);
      expect(text.code).toBe(0);
      const warnings = text.stdout.split('\n').filter((line) => line.startsWith('warning: '));
      expect(warnings).toEqual([
        expect.stringMatching(
          /^warning: .*_base\.yaml:7:24: configurationSets\[name=shared\]\.eventDestinations\[name=by-header\]\.cloudWatch\.dimensions\[name=X-Team\]: dimension "X-Team" has no expectedValues.* \(inherited by .*one\.yaml, .*two\.yaml\)$/,
        ),
        expect.stringMatching(
          /^warning: .*own\.yaml:\d+:15: configurationSets\[name=mine\]\.eventDestinations\[name=d\]\.cloudWatch\.dimensions\[name=ses:from-domain\]: ses:from-domain is a high-cardinality auto-tag/,
        ),
      ]);
      const json = JSON.parse((await run('validate', '--environments', dir, '--json')).stdout);
      expect(json.warnings).toEqual([
        expect.objectContaining({ file: expect.stringMatching(/_base\.yaml$/), line: 7, column: 24 }),
        expect.objectContaining({ file: expect.stringMatching(/own\.yaml$/), column: 15 }),
      ]);
      expect(json.warnings[0].field).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  test('given the samples, then every environment is listed as valid and the exit code is 0', async () => {
    const { code, stdout } = await run('validate', '--environments', SAMPLES);
    expect(code).toBe(0);
    // prod's ses:from-domain dimension declares expectedValues: no high-cardinality warning left to give.
    expect(stdout).toMatch(/^\d+ environment\(s\) valid\.$/m);
    expect(stdout).not.toContain('warning:');
    expect(stdout).toMatch(
      /ok {2}prod +account 333333333333 {2}wave 2 {2}3 set\(s\), 7 destination\(s\), 8 alarm\(s\) per region {2}stacks: prod-eu-west-1, prod-us-east-1/,
    );
  });

  test('--json gives a machine-readable summary', async () => {
    const { code, stdout } = await run('validate', '--environments', SAMPLES, '--json', '--env', 'staging');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      problems: [],
      environments: [
        {
          name: 'staging',
          file: expect.stringMatching(/staging\.yaml$/),
          accountId: '222222222222',
          wave: 1,
          protect: false,
          stacks: ['staging-eu-west-1'],
          configurationSets: ['transactional', 'marketing'],
          // As SES holds them: marketing's campaigns destination is two (dimension sets); transactional's
          // suppression feed to SNS is one.
          eventDestinations: 6,
          // transactional's two reputation alarms and hard-bounces; marketing publishes no rates in staging.
          alarmsPerStack: 3,
        },
      ],
      warnings: [],
    });
  });

  test('given bad files, then every problem is printed, in JSON too, and the exit code is 1', async () => {
    const { dir, cleanup } = writeFiles({
      'dev.yaml': 'name: dev\naccountId: "1"\n',
      'prod.json': '{',
    });
    try {
      const text = await run('validate', '--environments', dir);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/problem\(s\) in 2 file\(s\); fix them and run again\.\n$/);
      const json = await run('validate', '--environments', dir, '--json');
      const report = JSON.parse(json.stdout) as {
        ok: boolean;
        problems: { file: string; path: string; message: string }[];
      };
      expect(report.ok).toBe(false);
      expect(report.problems).toContainEqual(
        expect.objectContaining({
          path: 'accountId',
          message: '"1" is not an AWS account id: use the 12 digits, as a text.',
        }),
      );
      expect(report.problems).toContainEqual(
        expect.objectContaining({ message: expect.stringMatching(/^malformed JSON/) }),
      );
    } finally {
      cleanup();
    }
  });

  test('an unknown --env is refused, listing the environments and suggesting the nearest', async () => {
    const { dir, cleanup } = writeFiles({
      'dev.yaml': environmentYaml('dev', '111111111111'),
      'prod.yaml': environmentYaml('prod', '333333333333'),
    });
    try {
      const { code, stdout } = await run('validate', '--environments', dir, '--env', 'prdo');
      expect(code).toBe(1);
      expect(stdout).toContain(
        '--env prdo: no environment has this name (the environments: dev, prod). Did you mean "prod"?',
      );
    } finally {
      cleanup();
    }
  });

  test('an --env whose file is invalid reports that file\'s problems only, not a second "no such environment"', async () => {
    const { dir, cleanup } = writeFiles({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        'configurationSets:\n  - name: marketing\n    sendingEnabeld: false\n',
      ),
      'prod.yaml': environmentYaml('prod', '333333333333'),
    });
    try {
      const { code, stdout } = await run('plan', '--environments', dir, '--env', 'dev');
      expect(code).toBe(1);
      expect(stdout).toContain(
        'dev.yaml:9:5: configurationSets[name=marketing].sendingEnabeld: unknown field "sendingEnabeld". Did you mean "sendingEnabled"?',
      );
      expect(stdout).not.toContain('no environment has this name');
      expect(stdout).toContain('1 problem(s) in 1 file(s)');
    } finally {
      cleanup();
    }
  });

  test('an unknown command or option is refused with usage', async () => {
    expect(await run('synht')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown command "synht". Did you mean "synth"?'),
    });
    expect(await run('validate', '--bogus')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'sesform: --bogus is not an option of validate. Options of validate: --env, --environments, --json, --help.',
      ),
    });
    expect(await run('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: sesform <command>') });
  });

  test('SESFORM_ENVIRONMENTS selects the folder when --environments is not given', async () => {
    const { dir, cleanup } = writeFiles({ 'only.yaml': 'name: only\n' });
    process.env.SESFORM_ENVIRONMENTS = dir;
    try {
      expect((await run('validate')).stdout).toContain('only.yaml');
    } finally {
      delete process.env.SESFORM_ENVIRONMENTS;
      cleanup();
    }
  });
});

describe('sesform synth', () => {
  test('it writes one stack folder per environment and region, in wave order, and a manifest', async () => {
    const outdir = tempDir();
    const { dir, cleanup } = writeFiles({
      'late.yaml': environmentYaml('late', '740000000042').replace('wave: 0', '') + 'wave: 1\n',
      'early.yaml': environmentYaml('early', '740000000043').replace(
        'regions: [eu-west-1]',
        'regions: [eu-west-1, us-east-1]',
      ),
    });
    try {
      const { code, stdout } = await run('synth', '--environments', dir, '--output', outdir);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /Synthesized 3 stack\(s\) to .*: early-eu-west-1, early-us-east-1, late-eu-west-1\nConfiguration fingerprint \(roles aside; the key of a review's plans\): [0-9a-f]{64}\n$/,
      );
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: object };
      expect(Object.keys(manifest.stacks).sort()).toEqual(['early-eu-west-1', 'early-us-east-1', 'late-eu-west-1']);
      expect(Object.keys(stackFiles(outdir)).sort()).toEqual(Object.keys(manifest.stacks).sort());
    } finally {
      cleanup();
    }
  });

  test('given one bad environment among good ones, then nothing at all is written and the exit code is 1', async () => {
    const { dir, cleanup } = writeFiles({
      'good.yaml': fs.readFileSync(path.join(PROJECT_ROOT, '__tests__/fixtures/formats/yaml-env.yml'), 'utf8'),
      'bad.yaml': 'name: bad\n',
    });
    const outdir = path.join(tempDir(), 'out');
    try {
      const { code, stdout } = await run('synth', '--environments', dir, '--output', outdir);
      expect(code).toBe(1);
      expect(stdout).toContain('nothing was synthesized');
      expect(fs.existsSync(outdir)).toBe(false);
    } finally {
      cleanup();
    }
  });

  test('a stack whose environment is gone is removed, as cdktf does; with --env, other stacks are kept', async () => {
    const outdir = tempDir();
    // A stack folder an earlier sesform synth wrote (both markers), whose environment is gone now.
    fs.mkdirSync(path.join(outdir, 'stacks', 'retired-eu-west-1'), { recursive: true });
    fs.writeFileSync(path.join(outdir, '.sesform-output'), '');
    fs.writeFileSync(path.join(outdir, 'stacks', 'retired-eu-west-1', '.sesform-stack'), '');
    await run('synth', '--environments', SAMPLES, '--output', outdir, '--env', 'dev');
    expect(fs.existsSync(path.join(outdir, 'stacks', 'retired-eu-west-1'))).toBe(true);
    await run('synth', '--environments', SAMPLES, '--output', outdir);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'retired-eu-west-1'))).toBe(false);
  });
});

describe('the sesform binary', () => {
  test('loads the commands that talk to AWS on demand, through its own TypeScript hook', () => {
    const { dir, cleanup } = writeFiles({
      'dev.yaml': `${environmentYaml('dev', '740000000041')}configurationSets:\n  - name: transactional\n  - name: marketing\n`,
    });
    try {
      const result = spawnSync('node', ['bin/sesform.js', 'iam-policy', '--env', 'dev', '--environments', dir], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).roles[0].policy.Statement[0].Resource).toEqual([
        'arn:aws:ses:eu-west-1:740000000041:configuration-set/transactional',
        'arn:aws:ses:eu-west-1:740000000041:configuration-set/marketing',
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('the sesform binary and hostile TypeScript environments', () => {
  test('an unhandled rejection in an environment file is its problem, with its message: exit 1, no stack trace', () => {
    const { dir, cleanup } = writeFiles({
      'rejects.ts': "Promise.reject(new Error('boom from the file'));\nexport default {};\n",
    });
    try {
      const result = spawnSync('node', ['bin/sesform.js', 'validate', '--environments', dir], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      // The file runs in a process of its own (source-file.ts): its rejection is reported as its problem.
      expect(result.stdout).toContain(
        'rejects.ts: cannot load the TypeScript file: a promise it made was rejected and never handled: boom from the file',
      );
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
    } finally {
      cleanup();
    }
  });
});

describe('parity with the stock CLI', () => {
  test('its `synth` on main.ts writes exactly the stacks that `sesform synth` writes', () => {
    const ours = tempDir();
    const stock = tempDir();
    const sesform = spawnSync('node', ['bin/sesform.js', 'synth', '--output', ours], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(sesform.status).toBe(0);
    // As README gives it: `npm run cdktf -- synth`, which turns off the CLI's call home (checkpoint) itself.
    const { CHECKPOINT_DISABLE: _checkpoint, ...inherited } = process.env;
    const cdktf = spawnSync('npm', ['run', '-s', STOCK_CLI.command, '--', 'synth', '--output', stock], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...inherited, CI: 'true' },
    });
    expect(cdktf.stderr).not.toMatch(/error|checkpoint|ENOTFOUND/i);
    expect(cdktf.stdout).not.toMatch(/ERROR|checkpoint/);
    expect(cdktf.status).toBe(0);
    expect(stackFiles(stock)).toEqual(stackFiles(ours));
    const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as unknown;
    expect(manifest(stock)).toEqual(manifest(ours));
  }, 120_000);
});

describe('each command takes only its own options', () => {
  test('the example of the report: validate with options of other commands is refused, naming the option and command', async () => {
    const { code, stderr } = await run(
      'validate',
      '--auto-approve',
      '--role',
      'foo',
      '--shard',
      '9/2',
      '--allow-destroy',
      'x',
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      'sesform: --auto-approve is not an option of validate. Options of validate: --env, --environments, --json, --help.\n',
    );
  });

  // One option each command does not take, from another command's table.
  test.each([
    ['plan', '--auto-approve'],
    ['apply', '--merge'],
    ['drift', '--plans', 'dir'],
    ['rollout', '--stack', 's'],
    ['report', '--env', 'dev'],
    ['unlock', '--all'],
    ['emulator', '--local'],
    ['validate', '--output', 'dir'],
    ['cost', '--local'],
    ['synth', '--wave', '1'],
    ['adopt', '--allow-destroy', 'set'],
    ['export', '--concurrency', '2'],
    ['iam-policy', '--json'],
    ['bootstrap', '--shard', '1/2'],
    // A rest parameter: jest would take a third named one for a `done` callback.
  ])('%s refuses %s', async (command: string, ...flag: string[]) => {
    const [option] = flag;
    const { code, stderr } = await run(command, ...flag);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^sesform: ${option} is not an option of ${command}\\. Options of ${command}: `));
  });

  test('sesform <command> --help lists that command and only its options', async () => {
    const plan = await run('plan', '--help');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Usage: sesform plan \[options\]\n/);
    expect(plan.stdout).toContain('--shard I/N');
    expect(plan.stdout).not.toContain('--allow-destroy');
    const report = await run('report', '--help');
    expect(report.stdout).toMatch(/^Usage: sesform report FILE\.\.\. \[options\]/);
    expect(report.stdout).toContain('--merge');
  });

  test('a command that takes no arguments refuses one', async () => {
    expect(await run('validate', 'prod')).toMatchObject({
      code: 1,
      stderr: 'sesform: validate takes no arguments; unexpected "prod".\n',
    });
  });
});

describe('local mode is chosen by --local only', () => {
  const endpointBefore = process.env.SESFORM_LOCAL_ENDPOINT;
  afterEach(() => {
    if (endpointBefore === undefined) delete process.env.SESFORM_LOCAL_ENDPOINT;
    else process.env.SESFORM_LOCAL_ENDPOINT = endpointBefore;
  });

  test('synth without --local writes real AWS stacks even when SESFORM_LOCAL_ENDPOINT is set', async () => {
    process.env.SESFORM_LOCAL_ENDPOINT = 'http://127.0.0.1:45678';
    const outdir = tempDir();
    expect((await run('synth', '--environments', SAMPLES, '--output', outdir, '--env', 'dev')).code).toBe(0);
    const dev = stackFiles(outdir)['dev-eu-west-1'];
    expect(dev).not.toContain('127.0.0.1');
    expect(JSON.parse(dev).provider.aws[0].endpoints).toBeUndefined();

    const local = tempDir();
    expect((await run('synth', '--environments', SAMPLES, '--output', local, '--env', 'dev', '--local')).code).toBe(0);
    expect(JSON.parse(stackFiles(local)['dev-eu-west-1']).provider.aws[0].endpoints).toEqual([
      expect.objectContaining({ sesv2: 'http://127.0.0.1:45678' }),
    ]);
  });

  test('--endpoint without --local is refused', async () => {
    const { code, stderr } = await run(
      'synth',
      '--environments',
      SAMPLES,
      '--output',
      tempDir(),
      '--endpoint',
      'http://127.0.0.1:1',
    );
    expect(code).toBe(1);
    expect(stderr).toContain("--endpoint is the emulator's address for --local: add --local.");
  });
});
