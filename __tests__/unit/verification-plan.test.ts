/**
 * What verify sends and expects, from an environment of this test's own; the command line's refusals
 * before anything is sent; the sender contract. Expected series are written out by hand.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { EnvironmentSchema } from '../../src/environment/schema';
import { resolveFleet } from '../../src/fleet/fleet';
import { exampleValue, senderContract } from '../../src/verify/sender-contract';
import { probeSeries, verificationPlan } from '../../src/verify/verification-plan';
import { probeCostLine } from '../../src/verify/verify-command';
import { verificationTable, verifyExitCode } from '../../src/report/verify-report';
import { exitCodeOf } from '../../src/report/run-report';
import { environmentFields, environmentYaml, writeFiles } from '../helpers/synth';

const ALL_EVENTS = [
  'send',
  'delivery',
  'bounce',
  'complaint',
  'reject',
  'open',
  'click',
  'renderingFailure',
  'deliveryDelay',
  'subscription',
];
const dimensions = [
  { name: 'ses:configuration-set', source: 'messageTag', defaultValue: 'set' },
  { name: 'tier', source: 'messageTag', defaultValue: 'std' },
  { name: 'X-Kind', source: 'emailHeader', defaultValue: 'none' },
  { name: 'link', source: 'linkTag', defaultValue: 'nolink' },
];
const [stack] = resolveFleet([
  {
    file: 'alerts.yaml',
    environment: EnvironmentSchema.parse(
      environmentFields('alerts', '111111111111', {
        verify: { from: 'ops@mail.example.org' },
        configurationSets: [
          {
            name: 'alerts',
            eventDestinations: [
              { name: 'all', eventTypes: ALL_EVENTS, cloudWatch: { dimensions } },
              { name: 'off', enabled: false, eventTypes: ['send'], cloudWatch: { dimensions: [dimensions[1]] } },
            ],
          },
          {
            name: 'quiet',
            sendingEnabled: false,
            eventDestinations: [{ name: 'q', eventTypes: ['send'], cloudWatch: { dimensions: [dimensions[1]] } }],
          },
        ],
      }),
    ),
  },
]).stacks;

const series = (plan: ReturnType<typeof verificationPlan>) =>
  plan.expected.map((each) => [
    each.metricName,
    Object.fromEntries(each.dimensions.map((dimension) => [dimension.name, dimension.value])),
  ]);
const defaults = { 'ses:configuration-set': 'alerts', tier: 'std', 'X-Kind': 'none', link: 'nolink' };

describe('on AWS', () => {
  const plan = verificationPlan(stack, { local: false, probe: false, from: 'ops@mail.example.org' });

  test('sends to the mailbox simulator what produces each subscribed event, and a template missing a value', () => {
    expect(plan.sets.map((set) => [set.configurationSet, set.messages.map((m) => [m.kind, m.recipient])])).toEqual([
      [
        'alerts',
        [
          ['success', 'success@simulator.amazonses.com'],
          ['bounce', 'bounce@simulator.amazonses.com'],
          ['complaint', 'complaint@simulator.amazonses.com'],
          ['rendering-failure', 'success@simulator.amazonses.com'],
        ],
      ],
      ['quiet', []],
    ]);
    expect(plan.sets[1].skipped).toMatch(/sending is disabled for this set/);
    // Without --probe the messages carry nothing: the series are the default ones production uses.
    expect(
      plan.sets[0].messages.every((m) => Object.keys({ ...m.tags, ...m.headers, ...m.linkTags }).length === 0),
    ).toBe(true);
  });

  test('expects the default-value series, with the set name for ses:configuration-set', () => {
    expect(series(plan)).toEqual([
      ['Send', defaults],
      ['Delivery', defaults],
      ['Bounce', defaults],
      ['Complaint', defaults],
      ['Rendering Failure', defaults],
    ]);
  });

  test('says honestly what it cannot produce on demand', () => {
    expect(plan.notVerifiable.map((item) => [item.configurationSet, item.destination, item.eventType ?? '-'])).toEqual([
      ['alerts', 'off', '-'],
      ['alerts', 'all', 'REJECT'],
      ['alerts', 'all', 'OPEN'],
      ['alerts', 'all', 'CLICK'],
      ['alerts', 'all', 'DELIVERY_DELAY'],
      ['alerts', 'all', 'SUBSCRIPTION'],
      ['quiet', 'q', '-'],
    ]);
    expect(plan.notVerifiable[2].reason).toMatch(/loads the tracking image: not on demand/);
  });
});

describe('in the emulator, with --probe', () => {
  const plan = verificationPlan(stack, { local: true, probe: true, from: 'ops@mail.example.org' });
  const probed = { ...defaults, tier: 'sesform-probe', 'X-Kind': 'sesform-probe' };

  test('opens and clicks are simulated, and each tag, header and link dimension carries the probe value', () => {
    expect(plan.sets[0].messages[0]).toMatchObject({
      kind: 'success',
      engage: ['OPEN', 'CLICK'],
      tags: { tier: 'sesform-probe' },
      headers: { 'X-Kind': 'sesform-probe' },
      linkTags: { link: 'sesform-probe' },
    });
    expect(series(plan)).toEqual([
      ['Send', probed],
      ['Delivery', probed],
      ['Bounce', probed],
      ['Complaint', probed],
      ['Open', probed],
      ['Click', { ...probed, link: 'sesform-probe' }],
      ['Rendering Failure', probed],
    ]);
  });

  test("the probe's extra series and their cost, said before sending", () => {
    expect(probeSeries([plan])).toHaveLength(7);
    expect(probeCostLine([plan])).toMatch(
      /^--probe adds 7 metric series \(custom metrics\): at most 7 x \$0\.30 = \$2\.10 /,
    );
  });
});

describe('the command line', () => {
  async function run(argv: string[], files: Record<string, string>) {
    const folder = writeFiles(files);
    const [out, err] = [new PassThrough(), new PassThrough()];
    let [stdout, stderr] = ['', ''];
    out.on('data', (chunk) => (stdout += chunk));
    err.on('data', (chunk) => (stderr += chunk));
    try {
      return { code: await main([...argv, '--environments', folder.dir], out, err), stdout, stderr };
    } finally {
      folder.cleanup();
    }
  }
  const files = { 'dev.yaml': environmentYaml('dev', '111111111111') };

  test('on AWS, an environment without verify.from is refused before anything is sent', async () => {
    const result = await run(['verify', '--all'], files);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('dev.yaml');
    expect(result.stdout).toContain('verify.from: verify on AWS sends its test messages from a verified SES identity');
    expect(result.stdout).toContain('nothing was sent');
    expect((await run(['rollout', '--all', '--verify', '--auto-approve'], files)).stdout).toContain('verify.from');
  });

  test('local mode needs the emulator that holds the rollout; the timeout is bounded', async () => {
    expect((await run(['verify', '--all', '--local'], files)).stderr).toContain(
      'verify --local checks the emulator that holds your local rollout',
    );
    expect((await run(['verify', '--all', '--timeout', '1e3'], files)).stderr).toContain(
      '--timeout 1e3: expected whole seconds from 1 to 3600.',
    );
  });

  test('senders: one environment, a known set and format', async () => {
    expect((await run(['senders', '--env', 'dev', '--format', 'smpt'], files)).stderr).toContain(
      '--format smpt: expected one of api, smtp, sdk-js, json. Did you mean "smtp"?',
    );
    expect((await run(['senders', '--env', 'dev', '--set', 'nope'], files)).stderr).toContain(
      '--set nope: environment dev has no such set (none).',
    );
  });
});

describe('the sender contract', () => {
  const contract = senderContract(stack.configurationSets[0]);

  test('tags, headers and link tags from the enabled destinations; auto-tags are left to SES', () => {
    expect(contract.messageTags.map((tag) => [tag.name, tag.example, tag.defaultValue])).toEqual([
      ['tier', 'your-tier', 'std'],
    ]);
    expect(contract.headers.map((header) => header.name)).toEqual(['X-Kind']);
    expect(contract.linkTags.map((tag) => tag.name)).toEqual(['link']);
    expect(contract.autoTags).toEqual(['ses:configuration-set']);
  });

  test('every suggested value passes SES tag rules', () => {
    for (const name of ['campaign', 'X-Campaign-Id', 'a b/c', '***', 'x'.repeat(400)])
      expect(exampleValue(name)).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
  });
});

describe('exit codes and the report', () => {
  const stackResult = (status: 'verified' | 'missing', error?: string) => ({
    stack: 's-eu-west-1',
    environment: 's',
    accountId: '111111111111',
    region: 'eu-west-1',
    messagesSent: 1,
    results: [{ configurationSet: 'a', destination: 'd', eventType: 'SEND', metricName: 'Send', status }],
    ...(error ? { error } : {}),
  });

  test('verify: 0 all verified, 2 a series missing, 1 a stack that could not be verified', () => {
    expect(verifyExitCode([stackResult('verified')])).toBe(0);
    expect(verifyExitCode([stackResult('verified'), stackResult('missing')])).toBe(2);
    expect(verifyExitCode([stackResult('missing'), stackResult('verified', 'AccessDenied')])).toBe(1);
  });

  test('rollout --verify: every stack applied, a series missing: exit 2; the Markdown has its row', () => {
    const report = {
      command: 'rollout' as const,
      stacks: [{ outcome: 'applied' as const }] as never,
      refusals: [],
      verification: [stackResult('missing')],
    };
    expect(exitCodeOf(report)).toBe(2);
    expect(exitCodeOf({ ...report, verification: [stackResult('verified')] })).toBe(0);
    expect(verificationTable([stackResult('missing')])).toContain('| s-eu-west-1 | a / d | Send | missing |  |');
  });
});
