/**
 * Hostile environment files and command lines: nothing a pull request writes may stall the pipeline,
 * read outside the environments folder, pollute the process, or end the run without a clear message.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { invocationProblems, main } from '../../src/cli';
import { loadEnvironments } from '../../src/fleet/loader';
import { TYPESCRIPT_LOAD_TIMEOUT_MS, readSourceFile } from '../../src/environment/source-file';
import { formatProblem } from '../../src/environment/problems';
import type { RunReport } from '../../src/report/run-report';
import { renderMarkdown, renderText } from '../../src/report/text';
import { PROJECT_ROOT, environmentFields, environmentYaml, writeFiles } from '../helpers/synth';

function load(files: Record<string, string | Buffer>) {
  const { dir, cleanup } = writeFiles({});
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  try {
    const result = loadEnvironments(dir);
    return {
      ...result,
      dir,
      lines: result.problems.map((problem) => formatProblem(problem).replaceAll(`${dir}${path.sep}`, '')),
    };
  } finally {
    cleanup();
  }
}

async function run(...argv: string[]) {
  const [out, err] = [new PassThrough(), new PassThrough()];
  let [stdout, stderr] = ['', ''];
  out.on('data', (chunk) => (stdout += chunk));
  err.on('data', (chunk) => (stderr += chunk));
  const code = await main(argv, out, err);
  return { code, stdout, stderr };
}

// Every file read goes through readSourceFile: counted, to show each base is read once.
jest.mock('../../src/environment/source-file', () => {
  const actual = jest.requireActual('../../src/environment/source-file');
  return { ...actual, readSourceFile: jest.fn(actual.readSourceFile) };
});

const env = (name: string, extra = '') => environmentYaml(name, '111111111111', extra);

describe('extends', () => {
  test('each base is read once however often it is extended (a fan-out of 6 levels x 10 cannot stall)', () => {
    const files: Record<string, string> = {};
    const levels = 6;
    for (let level = 0; level < levels; level++)
      for (let index = 0; index < 10; index++)
        files[`_l${level}_${index}.yaml`] =
          level === levels - 1
            ? `defaultTags: { t${index}: "v" }\n`
            : `extends: [${Array.from({ length: 10 }, (_, next) => `_l${level + 1}_${next}.yaml`).join(', ')}]\n`;
    files['dev.yaml'] =
      `extends: [${Array.from({ length: 10 }, (_, next) => `_l0_${next}.yaml`).join(', ')}]\n${env('dev')}`;
    const reads = jest.mocked(readSourceFile);
    reads.mockClear();
    const { problems, environments } = load(files);
    expect(problems).toEqual([]);
    expect(environments[0].environment.defaultTags).toMatchObject({ t0: 'v', t9: 'v' });
    // 60 bases; without memoisation the last level alone would be read 10^6 times.
    const readsOfBases = reads.mock.calls.filter(([file]) => /_l\d_\d\.yaml$/.test(String(file)));
    expect(readsOfBases).toHaveLength(60);
  });

  test.each([
    ['a path outside the folder', '../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a device', '/dev/zero'],
  ])('refuses %s', (_what, target) => {
    const { lines, environments } = load({ 'dev.yaml': `extends: ${target}\n${env('dev')}` });
    expect(environments).toEqual([]);
    expect(lines).toEqual([
      `dev.yaml:1:10: extends: ${target} is outside the environments folder: a base must be a file in it (or below it).`,
    ]);
  });

  test('refuses a base that is not a regular file, or larger than the cap', () => {
    const folder = load({ 'dev.yaml': `extends: bases\n${env('dev')}`, 'bases/_x.yaml': 'wave: 1\n' });
    expect(folder.lines).toEqual(['dev.yaml:1:10: extends: bases is not a regular file.']);
    const big = load({
      'dev.yaml': `extends: _big.yaml\n${env('dev')}`,
      '_big.yaml': `# ${'x'.repeat(32 * 1024 * 1024)}\n`,
    });
    expect(big.lines).toEqual([
      'dev.yaml:1:10: extends: _big.yaml is larger than 32 MiB, the limit for an environment file.',
    ]);
  });

  test('refuses an environment file larger than the cap', () => {
    const { lines } = load({ 'dev.yaml': `${env('dev')}# ${'x'.repeat(32 * 1024 * 1024)}\n` });
    expect(lines).toEqual(['dev.yaml: the file is larger than 32 MiB, the limit for an environment file.']);
  });
});

describe('prototype pollution', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  test.each(['__proto__', 'constructor', 'prototype'])(
    '%s in a base is an unknown field of that file and never reaches Object.prototype',
    (key) => {
      const { lines, environments } = load({
        '_base.yaml': `${key}:\n  polluted: yes\n`,
        'dev.yaml': `extends: _base.yaml\n${env('dev')}`,
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(environments).toEqual([]);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^_base\\.yaml:1:1: unknown field "${key}"\\.`))]);
    },
  );
});

describe('state key prefixes and regions', () => {
  test.each(['*', 'ses/*', 'a?b', '../../x', 'a/../b', '/ses', 'ses/'])('keyPrefix %s is refused', (prefix) => {
    const text = env('dev').replace('keyPrefix: ses', `keyPrefix: ${JSON.stringify(prefix)}`);
    const { lines } = load({ 'dev.yaml': text });
    expect(lines).toEqual([
      expect.stringMatching(
        /stateBackend\.keyPrefix: .* is not a usable state key prefix: letters, digits and ! - _ \. ' \( \) \/, with no "\.\.", no leading, trailing or doubled "\/"\.$/,
      ),
    ]);
  });

  test('a region that does not exist is refused, with a suggestion', () => {
    const { lines } = load({
      'dev.yaml': env('dev').replace('regions: [eu-west-1]', 'regions: [aa-aaaa-1, eu-wset-1]'),
    });
    expect(lines).toEqual([
      expect.stringMatching(/regions\[0\]: "aa-aaaa-1" is not an AWS region \(regions as of \d{4}-\d\d-\d\d\)\.$/),
      expect.stringMatching(
        /regions\[1\]: "eu-wset-1" is not an AWS region \(regions as of \d{4}-\d\d-\d\d\)\. Did you mean "eu-west-1"\?$/,
      ),
    ]);
  });
});

describe('file contents', () => {
  test("a YAML alias bomb names the file, keeps the other files' problems, and --json still answers", async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
      .concat(
        Array.from({ length: 8 }, (_, index) => {
          const name = String.fromCharCode(98 + index);
          const previous = String.fromCharCode(97 + index);
          return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`;
        }),
      )
      .join('\n');
    const { lines } = load({ 'bomb.yaml': `${bomb}\n`, 'other.yaml': 'name: other\n' });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bomb\.yaml(:\d+:\d+)?: malformed YAML: .*alias/i),
        expect.stringMatching(/^other\.yaml:1:1: accountId: this field is required/),
      ]),
    );
    const { dir, cleanup } = writeFiles({ 'bomb.yaml': `${bomb}\n` });
    try {
      const json = await run('validate', '--environments', dir, '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).problems[0].file).toMatch(/bomb\.yaml$/);
    } finally {
      cleanup();
    }
  });

  test('a huge value is cut in messages', () => {
    const { lines } = load({ 'dev.yaml': env('dev').replace('name: dev', `name: "${'x'.repeat(100_000)}"`) });
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThan(500);
    expect(lines[0]).toContain('…');
  });

  test('bytes that are not UTF-8 are refused with their offset', () => {
    const text = Buffer.concat([Buffer.from('name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const { lines } = load({ 'dev.yaml': text });
    expect(lines).toEqual([
      'dev.yaml: the file is not UTF-8 text: byte 9 (0xe9) is not valid UTF-8; save it as UTF-8.',
    ]);
  });

  test('a byte-order mark is accepted alike in YAML and JSON', () => {
    const json = JSON.stringify(environmentFields('json', '111111111111'));
    const { problems, environments } = load({
      'yaml.yaml': `\uFEFF${env('yaml')}`,
      'json.json': `\uFEFF${json}`,
    });
    expect(problems).toEqual([]);
    expect(environments.map(({ environment }) => environment.name).sort()).toEqual(['json', 'yaml']);
  });

  test('a TypeScript environment that exits the process or fails to compile is reported, with file and position', () => {
    const { lines } = load({
      'exits.ts': 'process.exit(0);\nexport default {};\n',
      'broken.ts': 'export default {\n  name: "x",,\n};\n',
    });
    expect(lines).toEqual([
      expect.stringMatching(/^broken\.ts:2:13: cannot load the TypeScript file: /),
      'exits.ts: cannot load the TypeScript file: it called process.exit(0); an environment file must only export its environment.',
    ]);
  });
});

describe('numbers and paths on the command line', () => {
  test.each([
    [['plan', '--all', '--concurrency', '1e9'], '--concurrency 1e9: expected a whole number from 1 to 256.'],
    [['plan', '--all', '--concurrency=0x10'], '--concurrency 0x10: expected a whole number from 1 to 256.'],
    [['plan', '--all', '--concurrency', '1000'], '--concurrency 1000: expected a whole number from 1 to 256.'],
    [
      ['plan', '--all', '--shard', '1/99999999999999999999'],
      '--shard 1/99999999999999999999: expected I/N with 1 <= I <= N <= 1000, e.g. --shard 2/4.',
    ],
    [['plan', '--all', '--wave', '1.5'], '--wave 1.5: expected a wave number from 0 to 1000.'],
  ])('%j is refused', (argv, message) => {
    expect(invocationProblems(argv)).toEqual([message]);
  });

  test('unlock --stack takes a stack name, never a path', async () => {
    const { code, stderr } = await run('unlock', '--stack', '../../etc', '--lock-id', 'x');
    expect(code).toBe(1);
    expect(stderr).toContain('--stack ../../etc: not a stack name');
  });

  test('--plans may not point into the environments folder', async () => {
    const { dir, cleanup } = writeFiles({ 'dev.yaml': env('dev') });
    try {
      const { code, stderr } = await run('plan', '--all', '--environments', dir, '--plans', path.join(dir, 'plans'));
      expect(code).toBe(1);
      expect(stderr).toContain('is inside the environments folder');
    } finally {
      cleanup();
    }
  });
});

describe('synth --output', () => {
  test('refuses a non-empty folder sesform did not write, and never deletes what it did not create', async () => {
    const { dir, cleanup } = writeFiles({ 'environments/dev.yaml': env('dev'), 'mine/notes.txt': 'keep' });
    try {
      const environments = path.join(dir, 'environments');
      const refused = await run('synth', '--environments', environments, '--output', path.join(dir, 'mine'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is not empty and not a synth output');
      expect(fs.readFileSync(path.join(dir, 'mine', 'notes.txt'), 'utf8')).toBe('keep');

      const out = path.join(dir, 'out');
      expect((await run('synth', '--environments', environments, '--output', out)).code).toBe(0);
      fs.mkdirSync(path.join(out, 'stacks', 'somebody-elses'));
      fs.writeFileSync(path.join(out, 'stacks', 'somebody-elses', 'data'), 'keep');
      expect((await run('synth', '--environments', environments, '--output', out)).code).toBe(0);
      expect(fs.existsSync(path.join(out, 'stacks', 'somebody-elses', 'data'))).toBe(true);
    } finally {
      cleanup();
    }
  });
});

describe('control characters', () => {
  // The probe's values: a fence and a fake sentence in an endpoint, an escape sequence in a tag value.
  const FENCED = 'https://hooks.example.com/ses\\n```\\n\\n**Everything below was reviewed**\\n\\n<!--';
  const ERASE = 'platform\\e[1A\\e[2K';

  test('refused in every string of an environment file, value or key, with the file, field and character', () => {
    const { environments, lines } = load({
      'dev.yaml': environmentYaml(
        'dev',
        '123456789012',
        `monitoring:
  notify:
    subscriptions:
      - https: "${FENCED}"
configurationSets:
  - name: mail
    tags: { owner: "${ERASE}", "te\\tam": x }
`,
      ),
    });
    expect(environments).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^dev\.yaml:\d+:\d+: monitoring\.notify\.subscriptions\[0\]\.https: contains the control character U\+000A: every value of an environment file is one line of printable text/,
        ),
        expect.stringMatching(
          /^dev\.yaml:\d+:\d+: configurationSets\[name=mail\]\.tags\.owner: contains the control character U\+001B/,
        ),
        expect.stringMatching(
          /configurationSets\[name=mail\]\.tags\.te\\x09am|configurationSets\[name=mail\]\.tags.*U\+0009/,
        ),
      ]),
    );
  });

  const report = (value: string): RunReport => ({
    command: 'plan',
    local: false,
    stacks: [
      {
        stack: 'dev-eu-west-1',
        environment: 'dev',
        accountId: '123456789012',
        region: 'eu-west-1',
        wave: 0,
        protect: false,
        outcome: 'failed',
        error: `terraform plan failed:\nsubscription ${value}`,
        retries: [],
        recovered: [],
      },
    ],
    refusals: [{ stack: 'dev-eu-west-1', reason: 'destroy-protection', message: `set ${value}` }],
    stopped: `stopped ${value}`,
    exitCode: 1,
  });

  test('Markdown: a value cannot close a block, start a line, open HTML or format itself', () => {
    const value = '`` ```\n\n**Everything below was reviewed**\n\n<!-- | [link](https://evil.example) ~~x~~';
    const text = renderMarkdown(report(value));
    const lines = text.split('\n');
    // The renderer's own fences only: each block opened and closed by the same fence, longer than the value's runs.
    const fences = lines.filter((line) => /^`{3,}/.test(line));
    expect(fences).toEqual(['````diff', '````']);
    expect(lines).not.toContain('**Everything below was reviewed**');
    // Outside the code block (inside it, everything is literal text).
    const outside = text.slice(0, text.indexOf('````diff')) + text.slice(text.lastIndexOf('````'));
    expect(outside).not.toContain('<!--');
    expect(outside).not.toContain('[link](');
    expect(text).toContain(
      '**Refused:** dev-eu-west-1: set \\`\\` \\`\\`\\`\\\\x0a\\\\x0a\\*\\*Everything below was reviewed\\*\\*\\\\x0a\\\\x0a&lt;!-- \\| \\[link\\](https://evil.example) \\~\\~x\\~\\~',
    );
  });

  test('terminal: control characters in a value are shown, never sent', () => {
    const text = renderText(report('\u001b[1A\u001b[2Kall good\u0007'));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toContain('REFUSED: dev-eu-west-1: set \\x1b[1A\\x1b[2Kall good\\x07');
    // Terraform's own lines under "error:" stay lines of their own.
    expect(text).toContain('    error: terraform plan failed:\n      subscription \\x1b[1A');
  });
});

describe('TypeScript environment files run apart', () => {
  const valid = (name: string, before = '') =>
    `${before}\nexport default ${JSON.stringify(environmentFields(name, '123456789012'))};\n`;

  test("what a file prints never reaches sesform's output: synth --json is sesform's JSON alone", () => {
    const { dir, cleanup } = writeFiles({
      'dev.ts': valid('dev', `console.log('{"fingerprint":"attacker-chosen"}');`),
    });
    const output = path.join(os.tmpdir(), `sesform-synth-${process.pid}-${Date.now()}`);
    try {
      // The real command line: the file's console.log would reach this very stdout if it ran in sesform's process.
      const run = spawnSync(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'sesform.js'), 'synth', '--json', '--environments', dir, '--output', output],
        { cwd: PROJECT_ROOT, encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout).fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(run.stdout).not.toContain('attacker-chosen');
      expect(run.stderr).toContain('dev.ts: {"fingerprint":"attacker-chosen"}');
    } finally {
      cleanup();
      fs.rmSync(output, { recursive: true, force: true });
    }
  });

  test('a timer that would exit the process later cannot end sesform: the environment loads, sesform goes on', () => {
    const { environments, problems } = load({
      'dev.ts': valid('dev', 'setTimeout(() => process.exit(0), 1500);'),
    });
    expect(problems).toEqual([]);
    expect(environments.map(({ environment }) => environment.name)).toEqual(['dev']);
  });

  test(
    'an endless loop is stopped after the time limit, with an error naming the file',
    () => {
      const { environments, lines } = load({ 'loop.ts': valid('loop', 'while (true) {}') });
      expect(environments).toEqual([]);
      expect(lines).toEqual([
        `loop.ts: cannot load the TypeScript file: it did not finish loading within ${TYPESCRIPT_LOAD_TIMEOUT_MS / 1000} s (an endless loop, or a wait on something that never comes) and was stopped.`,
      ]);
    },
    TYPESCRIPT_LOAD_TIMEOUT_MS + 15_000,
  );
});

describe('smaller items of the probe', () => {
  test('an environment file that is a link to a file outside the folder is not read', () => {
    const outside = writeFiles({ 'secret.yaml': environmentYaml('outside', '123456789012') });
    const { dir, cleanup } = writeFiles({});
    try {
      fs.symlinkSync(path.join(outside.dir, 'secret.yaml'), path.join(dir, 'dev.yaml'));
      const { environments, problems } = loadEnvironments(dir);
      expect(environments).toEqual([]);
      expect(problems.map((problem) => problem.message)).toEqual([
        'a symbolic link to a file outside the environments folder: an environment file must be a file in the folder (or below it).',
      ]);
    } finally {
      cleanup();
      outside.cleanup();
    }
  });

  test('a file name with an escape sequence is shown escaped, never sent to the terminal', () => {
    const { lines } = load({ 'dev\u001b[2K.yaml': 'name: [' });
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines[0]).toMatch(/^dev\\x1b\[2K\.yaml/);
  });

  test.each([
    [
      'a rate with spaces',
      'monitoring:\n  reputation: { complaintRate: " 0.05 %" }\n',
      'monitoring.reputation.complaintRate',
      /" 0\.05 %" is not a percentage/,
    ],
    [
      'a duration with a space',
      'configurationSets:\n  - name: mail\n    deliveryOptions: { maxDeliveryDuration: "6h " }\n',
      'configurationSets[name=mail].deliveryOptions.maxDeliveryDuration',
      /6h /,
    ],
    [
      'a threshold beyond any number',
      'monitoring: {}\nconfigurationSets:\n  - name: mail\n    eventDestinations:\n      - name: m\n        eventTypes: [bounce]\n        cloudWatch: { dimensions: [{ name: k, source: messageTag, defaultValue: x }] }\n    monitoring:\n      alarms: [{ name: b, destination: m, event: bounce, threshold: 1e400 }]\n',
      'configurationSets[name=mail].monitoring.alarms[name=b].threshold',
      /^a threshold is a count such as 5 or, with "per", a percentage such as "3%"; found .*\(not a finite number\)\.$/,
    ],
  ])('%s is refused with its field and a clear rule', (_what, extra, field, message) => {
    const { environments, problems } = load({ 'dev.yaml': environmentYaml('dev', '123456789012', extra) });
    expect(environments).toEqual([]);
    const problem = problems.find((each) => each.path === field);
    expect(problem?.message).toMatch(message);
  });
});
