/**
 * Every file sesform reads back is checked against its schema, and a malformed one is refused with
 * the file and the field named: saved-plan and reviewed records, the interrupted-apply marker, JSON
 * run reports and the toolchain record.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readImportManifest } from '../../src/adoption/import-manifest';
import { PlanStore } from '../../src/engine/plan-store';
import { parseReport } from '../../src/report/run-report';
import { ReviewedPlans } from '../../src/engine/review';
import { providerMirror } from '../../src/terraform/toolchain';
import { writeFiles } from '../helpers/synth';

const STACK = 'billing-eu-west-1';
const hex = (character: string) => character.repeat(64);
const changes = {
  counts: { add: 1, change: 0, replace: 0, destroy: 0, import: 0 },
  configurationSets: [],
  destinations: [],
  metrics: { before: 0, after: 0 },
};
const record = {
  stack: STACK,
  configHash: hex('a'),
  reviewHash: hex('b'),
  planSha256: hex('c'),
  createdAt: '2026-12-04T00:00:00Z',
  changes,
  actions: { 'aws_sesv2_configuration_set.billing': 'create' },
  creates: [],
};

test('a saved plan record: read when well formed, refused with its field when not', () => {
  const { dir, cleanup } = writeFiles({
    [`${STACK}.json`]: JSON.stringify(record),
    [`${STACK}.tfplan`]: 'plan',
    'forged-eu-west-1.json': JSON.stringify({ ...record, stack: 'forged-eu-west-1', changes: {} }),
    'forged-eu-west-1.tfplan': 'plan',
    'odd-eu-west-1.json': JSON.stringify({ ...record, stack: 'odd-eu-west-1', planSha256: '../../etc/passwd' }),
    'odd-eu-west-1.tfplan': 'plan',
    'broken-eu-west-1.json': '{"stack": ',
    'broken-eu-west-1.tfplan': 'plan',
  });
  try {
    const store = new PlanStore(dir);
    expect(store.load(STACK)?.actions).toEqual(record.actions);
    expect(() => store.load('forged-eu-west-1')).toThrow(
      /forged-eu-west-1\.json: not a sesform plan record\. changes\.counts: Invalid input: expected object, received undefined\./,
    );
    expect(() => store.load('odd-eu-west-1')).toThrow(/odd-eu-west-1\.json: not a sesform plan record\. planSha256: /);
    expect(() => store.load('broken-eu-west-1')).toThrow(/broken-eu-west-1\.json: not JSON/);
    // A reviewed record is the same kind of file: `changes: {}` is refused, not a crash later on.
    expect(() => new ReviewedPlans(dir).record('forged-eu-west-1')).toThrow(/changes\.counts/);
  } finally {
    cleanup();
  }
});

test('the interrupted-apply marker: a list of addresses and import IDs, nothing else', () => {
  const { dir, cleanup } = writeFiles({
    [`${STACK}.applying`]: JSON.stringify([{ address: 'a.b', importId: 'billing' }]),
    'other-eu-west-1.applying': JSON.stringify([{ address: 'a.b' }]),
  });
  try {
    const store = new PlanStore(dir);
    expect(store.interruptedApply(STACK)).toEqual([{ address: 'a.b', importId: 'billing' }]);
    expect(() => store.interruptedApply('other-eu-west-1')).toThrow(/\[0\]\.importId: Invalid input/);
  } finally {
    cleanup();
  }
});

describe('a JSON run report', () => {
  const stack = {
    stack: STACK,
    environment: 'billing',
    accountId: '111111111111',
    region: 'eu-west-1',
    wave: 0,
    protect: false,
    outcome: 'planned',
    retries: [],
    recovered: [],
  };
  const report = { command: 'plan', local: true, stacks: [stack], refusals: [], exitCode: 2 };

  test('read when well formed', () => {
    expect(parseReport(JSON.stringify(report), 'r.json').stacks[0].outcome).toBe('planned');
  });

  test.each([
    [
      'an outcome that is markup',
      { stacks: [{ ...stack, outcome: 'planned"><img src=x onerror=alert(1)>' }] },
      'stacks[0].outcome',
    ],
    ['a wave that is text', { stacks: [{ ...stack, wave: '0</td>' }] }, 'stacks[0].wave'],
    ['an exit code out of range', { exitCode: 1e9 }, 'exitCode'],
    ['refusals that are not a list', { refusals: 'x' }, 'refusals'],
  ])('refused: %s', (_, change, field) => {
    expect(() => parseReport(JSON.stringify({ ...report, ...change }), 'r.json')).toThrow(
      `r.json: not a sesform report (write one with --json). ${field}:`,
    );
  });
});

test('the toolchain record: a malformed one is said, with its field, and found again', () => {
  const { dir, cleanup } = writeFiles({ 'toolchain.json': JSON.stringify({ providerMirror: 42 }) });
  const previous = process.env.SESFORM_PROVIDER_MIRROR;
  delete process.env.SESFORM_PROVIDER_MIRROR;
  try {
    const notes: string[] = [];
    const file = path.join(dir, 'toolchain.json');
    const choice = providerMirror(
      file,
      () => undefined,
      (text) => notes.push(text),
    );
    expect(choice.source).not.toBe('cache');
    expect(notes.join('')).toContain(`${file} is not a toolchain record (providerMirror: `);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ providerMirror: null });
  } finally {
    if (previous !== undefined) process.env.SESFORM_PROVIDER_MIRROR = previous;
    cleanup();
  }
});

test('an import manifest: names only, else refused with its field', () => {
  const { dir, cleanup } = writeFiles({
    'dev.yaml': '',
    '.imports/dev-eu-west-1.json': JSON.stringify({ configurationSets: ['orders'] }),
    '.imports/dev-us-east-1.json': JSON.stringify({ configurationSets: 'orders' }),
  });
  try {
    const file = path.join(dir, 'dev.yaml');
    expect(readImportManifest(file, 'dev-eu-west-1')).toEqual({
      configurationSets: ['orders'],
      eventDestinations: [],
      alarms: [],
    });
    expect(() => readImportManifest(file, 'dev-us-east-1')).toThrow(
      /dev-us-east-1\.json: not an import manifest \(sesform adopt writes them\)\. configurationSets: /,
    );
  } finally {
    cleanup();
  }
});
