/**
 * README says what the code does: every SESFORM_* variable the configuration module reads, each
 * command's options as its option table gives them, and the sample dashboard it outlines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { AWS_PROVIDER_PACKAGE, CDK_PACKAGE } from '../../src/cdk/packages';
import { commandOptions, main } from '../../src/cli';
import { SESFORM_VARIABLES } from '../../src/config';
import { App, Testing } from '../../src/cdk/cdk-core';
import { parse } from 'yaml';
import type { DashboardWidget } from '../../modules/ses-dashboard';
import { addEnvironmentStacks } from '../../src/app';
import { loadEnvironments } from '../../src/fleet/loader';
import { PROJECT_ROOT } from '../helpers/synth';

/** README and the docs pages it links to, read as one text: the tests follow each passage to its page. */
const DOC_FILES = [
  'README.md',
  ...fs
    .readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => path.join('docs', file)),
];
const readme = DOC_FILES.map((file) => fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).join('\n');

test('README fits on a few screens and links every docs page, and every link between them resolves', () => {
  const own = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  expect(own.split('\n').length).toBeLessThan(300);
  for (const file of DOC_FILES.slice(1)) expect(own).toContain(`](${file.replace(/\\/g, '/')})`);
  for (const file of DOC_FILES) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+\.(?:md|png))(?:#[^)]*)?\)/g))
      expect([file, fs.existsSync(path.join(PROJECT_ROOT, path.dirname(file), target))]).toEqual([file, true]);
  }
});

test('README lists every SESFORM_* variable sesform reads, and no other', () => {
  const documented = [...readme.matchAll(/^\| `(SESFORM_[A-Z_]+)` +\|/gm)].map((match) => match[1]).sort();
  expect(documented).toEqual(Object.values(SESFORM_VARIABLES).sort());
});

test("README's table of options per command is each command's option table", () => {
  const rows = [...readme.matchAll(/^\| `([a-z-]+)` +\| (.+?) +\|$/gm)];
  const table = new Map(rows.map((row) => [row[1], row[2]]));
  const optionsIn = (cell: string): string[] => {
    const like = /^as `([a-z-]+)`/.exec(cell);
    const own = [...cell.matchAll(/`--([a-z-]+)`/g)].map((match) => match[1]);
    return like ? [...optionsIn(table.get(like[1])!), ...own] : own;
  };
  for (const command of [
    'plan',
    'apply',
    'drift',
    'rollout',
    'report',
    'unlock',
    'emulator',
    'validate',
    'cost',
    'synth',
    'adopt',
    'export',
    'iam-policy',
    'bootstrap',
    'doctor',
  ]) {
    expect(table.has(command)).toBe(true);
    expect([command, ...optionsIn(table.get(command)!).sort()]).toEqual([
      command,
      ...[...commandOptions(command)].sort(),
    ]);
  }
});

/** A dashboard as README outlines it: one row per widget, what it shows. */
function dashboardOutline(widgets: DashboardWidget[]): string {
  const rows = widgets.map((widget) => {
    const {
      markdown,
      title,
      metrics = [],
      annotations,
    } = widget.properties as {
      markdown?: string;
      title?: string;
      metrics?: unknown[][];
      annotations?: { horizontal: { label: string }[] };
    };
    if (markdown !== undefined) return `| ${markdown.replace(/^## /, '**')}** | |`;
    const shown = metrics
      .map((row) =>
        row.find((item): item is { label: string } => typeof item === 'object' && item !== null && 'label' in item),
      )
      .filter((item) => item !== undefined)
      .map((item) => item.label);
    const lines = annotations ? `; lines at ${annotations.horizontal.map((line) => line.label).join(', ')}` : '';
    return `| ${title} | ${shown.join(', ')}${lines} |`;
  });
  return ['| widget | shows |', '| --- | --- |', ...rows].join('\n');
}

test("README's dashboard outline is the prod-eu-west-1 sample's dashboard as generated", () => {
  const { fleet } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
  const stack = fleet.stacks.find((candidate) => candidate.name === 'prod-eu-west-1')!;
  const app = Testing.app();
  const [synthesized] = addEnvironmentStacks(app as App, { stacks: [stack] });
  const dashboard = Object.values(
    JSON.parse(Testing.synth(synthesized)).resource.aws_cloudwatch_dashboard as Record<
      string,
      { dashboard_body: string }
    >,
  )[0];
  const outline = dashboardOutline(JSON.parse(dashboard.dashboard_body).widgets);
  // Prettier pads Markdown tables: compare cell by cell.
  const cells = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .map((cell) => cell.trim().replace(/^-+$/, '---'))
          .join('|'),
      );
  const section = /<!-- dashboard outline -->\n([\s\S]*?)\n<!-- \/dashboard outline -->/.exec(readme)?.[1] ?? '';
  expect(cells(section)).toEqual(cells(outline));
});

/** The README's code blocks of a language, in order. */
const codeBlocks = (language: string) =>
  [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]);

/** A scratch folder one level below the project, so that `../src` and `../modules` resolve as in README. */
function scratchFolder(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, '.readme-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test("README's TypeScript environment example and its base load as a valid environment", () => {
  const [base, payments] = codeBlocks('ts').filter((block) => /^\/\/ environments\/(_shared|payments)\.ts/.test(block));
  const { dir, cleanup } = scratchFolder();
  try {
    fs.writeFileSync(path.join(dir, '_shared.ts'), base);
    fs.writeFileSync(path.join(dir, 'payments.ts'), payments);
    const { environments, problems } = loadEnvironments(dir);
    expect(problems).toEqual([]);
    expect(environments.map(({ environment }) => environment.name)).toEqual(['payments']);
  } finally {
    cleanup();
  }
});

test("README's modules examples synthesize as written (provider, backend, set, destination, alarms)", () => {
  const blocks = codeBlocks('ts');
  const app = blocks.find((block) => block.includes('new ConfigurationSet(stack'))!;
  const monitoring = blocks.find((block) => block.includes('new AlarmTopic(stack'))!;
  const program = `${monitoring
    .split('\n')
    .filter((line) => line.startsWith('import '))
    .join('\n')}\n${app.replace(
    'app.synth();',
    monitoring
      .split('\n')
      .filter((line) => !line.startsWith('import '))
      .join('\n') + '\napp.synth();',
  )}`
    .replace(/'\.\/modules'/g, "'../modules'")
    // README names today's packages; after a switch to CDK Terrain the test runs the example on the installed ones.
    .replace(/'cdktf'/g, `'${CDK_PACKAGE}'`)
    .replace(/'@cdktf\/provider-aws\//g, `'${AWS_PROVIDER_PACKAGE}/`);
  const { dir, cleanup } = scratchFolder();
  try {
    fs.writeFileSync(path.join(dir, 'app.ts'), program);
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const synthesized = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/ses/cdk.tf.json'), 'utf8'));
    expect(Object.keys(synthesized.resource).sort()).toEqual([
      'aws_cloudwatch_metric_alarm',
      'aws_sesv2_configuration_set',
      'aws_sesv2_configuration_set_event_destination',
      'aws_sns_topic',
      'aws_sns_topic_subscription',
    ]);
  } finally {
    cleanup();
  }
});

test("README's list of fields to change for a new account names every field staging.yaml sets", () => {
  const staging = parse(fs.readFileSync(path.join(PROJECT_ROOT, 'environments', 'staging.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const fields = Object.entries(staging).flatMap(([key, value]) =>
    key === 'extends'
      ? []
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.keys(value).map((inner) => `${key}.${inner}`)
        : [key],
  );
  const list = /<!-- new account fields -->([\s\S]*?)<!-- \/new account fields -->/.exec(readme)?.[1] ?? '';
  const named = new Set([...list.matchAll(/`([\w.]+)`/g)].map((match) => match[1]));
  expect(fields.filter((field) => !named.has(field))).toEqual([]);
});

test("README's cost figures for the samples are what `sesform cost` prints for them", async () => {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk) => (printed += chunk));
  const code = await main(['cost', '--environments', path.join(PROJECT_ROOT, 'environments')], out, out);
  expect(code).toBe(0);
  const section = /<!-- samples cost -->\n\n```\n([\s\S]*?)```\n\n<!-- \/samples cost -->/.exec(readme)?.[1];
  expect(section).toBe(printed);
});
