import * as path from 'node:path';
import { loadEnvironments } from '../../src/fleet/loader';
import { PROJECT_ROOT, environmentYaml, loadFiles, writeFiles } from '../helpers/synth';

const load = loadFiles;

describe('environment files in TypeScript, YAML and JSON', () => {
  test('given one of each, when loaded, then all three validate with defaults applied, in rollout order', () => {
    const { environments, problems } = loadEnvironments(path.join(PROJECT_ROOT, '__tests__/fixtures/formats'));
    expect(problems).toEqual([]);
    expect(environments.map(({ environment }) => [environment.name, environment.wave])).toEqual([
      ['yaml-env', 0],
      ['json-env', 1],
      ['typed', 3],
    ]);
    const typed = environments[2].environment;
    expect(typed.protect).toBe(false);
    expect(typed.defaultTags).toEqual({ team: 'messaging' });
    expect(typed.configurationSets[0].eventDestinations[0].eventTypes).toEqual(['bounce', 'COMPLAINT']);
  });

  test('the sample environments are valid: dev, staging and prod in three accounts, prod in two regions', () => {
    const { environments, problems } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
    expect(problems).toEqual([]);
    // Accounts and regions a user adds (README "Adding an account or a region") leave these as they are.
    const sample = (name: string) => environments.find(({ environment }) => environment.name === name)?.environment;
    expect(['dev', 'staging', 'prod'].map((name) => [name, sample(name)?.accountId, sample(name)?.wave])).toEqual([
      ['dev', '111111111111', 0],
      ['staging', '222222222222', 1],
      ['prod', '333333333333', 2],
    ]);
    expect(sample('prod')?.regions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
  });
});

describe('extends', () => {
  const base = `stateBackend: { bucket: state-bucket, keyPrefix: ses, region: eu-west-1 }
defaultTags: { team: messaging, tier: base }
configurationSets:
  - name: transactional
    deliveryOptions: { tlsPolicy: REQUIRE, maxDeliveryDuration: 6h }
    eventDestinations:
      - name: metrics
        eventTypes: [send, bounce]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none }
  - name: marketing
`;

  test('given a base, when an environment extends it, then objects merge deeply and named lists merge by name', () => {
    const { environments, problems } = load({
      '_base.yaml': base,
      'dev.yaml': `extends: _base.yaml
name: dev
accountId: "111111111111"
deployRole: { arn: "arn:aws:iam::111111111111:role/ses-deploy" }
regions: [eu-west-1]
defaultTags: { tier: dev }
configurationSets:
  - name: transactional
    deliveryOptions: { maxDeliveryDuration: 2h }
    eventDestinations:
      - name: metrics
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: unknown }
            - { name: template, source: messageTag, defaultValue: none }
  - name: alerts
`,
    });
    expect(problems).toEqual([]);
    const dev = environments[0].environment;
    expect(dev.defaultTags).toEqual({ team: 'messaging', tier: 'dev' });
    expect(dev.configurationSets.map((set) => set.name)).toEqual(['transactional', 'marketing', 'alerts']);
    expect(dev.configurationSets[0].deliveryOptions).toEqual({ tlsPolicy: 'REQUIRE', maxDeliveryDuration: '2h' });
    expect(dev.configurationSets[0].eventDestinations[0]).toEqual({
      name: 'metrics',
      eventTypes: ['send', 'bounce'],
      cloudWatch: {
        dimensions: [
          { name: 'campaign', source: 'messageTag', defaultValue: 'unknown' },
          { name: 'template', source: 'messageTag', defaultValue: 'none' },
        ],
      },
    });
  });

  test('a base file is not an environment, whatever its name, and chains of bases work', () => {
    const { names, problems } = load({
      'common.yaml': base,
      'eu.yaml': 'extends: common.yaml\nregions: [eu-west-1]\n',
      'dev.yaml': `extends: eu.yaml\nname: dev\naccountId: "111111111111"\ndeployRole: { arn: "arn:aws:iam::111111111111:role/ses-deploy" }\n`,
    });
    expect(problems).toEqual([]);
    expect(names).toEqual(['dev']);
  });

  test('given a bad value in a base that three environments extend, then it is reported once, naming all three', () => {
    const env = (name: string, account: string) =>
      `extends: _base.yaml\nname: ${name}\naccountId: "${account}"\ndeployRole: { arn: "arn:aws:iam::${account}:role/ses-deploy" }\nregions: [eu-west-1]\n`;
    const { lines } = load({
      '_base.yaml': base.replace('eventTypes: [send, bounce]', 'eventTypes: [send, bounces]'),
      'a.yaml': env('a', '111111111111'),
      'b.yaml': env('b', '222222222222'),
      'c.yaml': env('c', '333333333333'),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^_base\.yaml:8:28: configurationSets\[name=transactional\]\.eventDestinations\[name=metrics\]\.eventTypes\[1\]: "bounces"/,
    );
    expect(lines[0]).toMatch(/\(inherited by a\.yaml, b\.yaml, c\.yaml\)$/);
  });

  test('given a bad value in a base, when an environment extends it, then the error names the base file and line', () => {
    const { lines } = load({
      '_base.yaml': base.replace('eventTypes: [send, bounce]', 'eventTypes: [send, bounces]'),
      'dev.yaml': `extends: _base.yaml\nname: dev\naccountId: "111111111111"\ndeployRole: { arn: "arn:aws:iam::111111111111:role/ses-deploy" }\nregions: [eu-west-1]\n`,
    });
    expect(lines).toEqual([
      '_base.yaml:8:28: configurationSets[name=transactional].eventDestinations[name=metrics].eventTypes[1]: "bounces" is not an SES event type: use one of send, reject, bounce, complaint, delivery, open, click, renderingFailure, deliveryDelay, subscription (or the v2 spelling, such as RENDERING_FAILURE). Did you mean "bounce"? (inherited by dev.yaml)',
    ]);
  });

  test('a field missing everywhere is reported in the environment file, not its base', () => {
    const { lines } = load({
      '_base.yaml': base,
      'dev.yaml': 'extends: _base.yaml\nname: dev\nregions: [eu-west-1]\n',
    });
    expect(lines).toEqual([
      'dev.yaml:1:1: accountId: this field is required (string).',
      'dev.yaml:1:1: deployRole: this field is required (object).',
    ]);
  });

  test('a missing base and a loop are reported where `extends` is written', () => {
    expect(
      load({ 'dev.yaml': environmentYaml('dev', '111111111111', 'extends: _bsae.yaml\n'), '_base.yaml': base }).lines,
    ).toEqual([
      expect.stringMatching(
        /^dev\.yaml:7:10: extends: the base file .*_bsae\.yaml does not exist\. Did you mean "_base\.yaml"\?$/,
      ),
    ]);
    expect(load({ 'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: a.yaml\n' }).lines).toEqual([
      expect.stringMatching(/every file in this folder is a base that another file extends: no environment is left\.$/),
      'a.yaml:1:10: extends: b.yaml extends this file again: `extends` chains must not loop.',
      'b.yaml:1:10: extends: a.yaml extends this file again: `extends` chains must not loop.',
    ]);
  });
});

describe('bad input', () => {
  test('malformed YAML and JSON are reported with their position', () => {
    const { lines, names } = load({
      'a.yaml': 'name: a\n  bad: indentation\n',
      'b.json': '{ "name": "b", }',
      'c.json': '{ "name": "c", "name": "d" }',
      'good.yaml': environmentYaml('good', '111111111111'),
    });
    expect(names).toEqual(['good']);
    expect(lines).toEqual([
      'a.yaml:2:3: malformed YAML: this line is indented under "name" (line 1), which already has a value: indent it like "name" (0 spaces) if it is a field of its own, or give "name" no value to nest fields under it.',
      'b.json:1:16: malformed JSON: Expected double-quoted property name in JSON at position 15',
      'c.json:1:16: malformed JSON: "name" is written twice in the same mapping: keep one of them.',
    ]);
  });

  test("a problem names the set it is in, not its index in the sets merged from the base, and a value's problem points at the value", () => {
    const { lines } = load({
      '_base.yaml': 'configurationSets:\n  - name: transactional\n',
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        'extends: _base.yaml\nconfigurationSets:\n  - name: marketing\n    sendingEnabeld: false\n  - name: "bad name"\n',
      ),
    });
    expect(lines).toEqual([
      // marketing is the second set once merged, the first in dev.yaml: its name says which.
      'dev.yaml:10:5: configurationSets[name=marketing].sendingEnabeld: unknown field "sendingEnabeld". Did you mean "sendingEnabled"?',
      // At the value (column 11), not at its key.
      'dev.yaml:11:11: configurationSets[name="bad name"].name: "bad name" is not a valid configuration set name: use 1 to 64 letters, digits, "_" and "-" (" " is not allowed). Did you mean "bad-name"?',
    ]);
  });

  test('YAML syntax errors point at the offending token and say how to fix the common cases', () => {
    const cases: [string, string][] = [
      // A tab in an indentation: at the tab, whatever the parser makes of it.
      [
        'name: x\ndeployRole:\n\tarn: a\n',
        'tab.yaml:3:1: malformed YAML: a tab indents this line; YAML indents with spaces only',
      ],
      // One space too many: at the key on the line out of step.
      [
        'name: x\ndeployRole:\n  arn: a\n   trustedPrincipal: b\n',
        'over.yaml:4:4: malformed YAML: this line is indented under "arn" (line 3), which already has a value',
      ],
      [
        'name: x\nconfigurationSets:\n  - name: a\n    eventDestinations:\n      - name: d\n     eventTypes: [SEND]\n',
        'under.yaml:6:6: malformed YAML: "eventTypes" is indented by 5 space(s), which lines up with no field around it (the fields of line 5 are indented by 8)',
      ],
      // A second list item without its "-".
      [
        'name: x\nconfigurationSets:\n  - name: a\n    sendingEnabled: true\n  name: b\n',
        'dash.yaml:5:3: malformed YAML: "name" is at the indentation of the list items above, without their "-": begin it with "- "',
      ],
      ['name x\nregions: [a]\n', 'colon.yaml:1:1: malformed YAML: "name x" has no ":" after its key'],
      ['regions: [eu-west-1\nname: x\n', 'bracket.yaml:1:10: malformed YAML: the "[" opened here is not closed'],
      ['name: "x\nregions: [a]\n', 'quote.yaml:1:7: malformed YAML: the double quote opened here is not closed'],
      [
        'name: x\nwave: 1\nname: y\n',
        'twice.yaml:3:1: malformed YAML: "name" is written twice in the same mapping (first at line 1): keep one of them.',
      ],
    ];
    const files = Object.fromEntries(cases.map(([content, expected]) => [expected.split(':')[0], content]));
    const { lines } = load(files);
    for (const [, expected] of cases) expect(lines).toContainEqual(expect.stringContaining(expected));
  });

  test('unknown fields are errors with a suggestion, at every level', () => {
    const { lines } = load({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `regoins: [us-east-1]
configurationSets:
  - name: transactional
    sendingEnabeld: false
    eventDestinations:
      - name: metrics
        eventTypes: [send]
        cloudwatch: {}
`,
      ),
    });
    expect(lines).toEqual([
      'dev.yaml:7:1: regoins: unknown field "regoins". Did you mean "regions"?',
      'dev.yaml:10:5: configurationSets[name=transactional].sendingEnabeld: unknown field "sendingEnabeld". Did you mean "sendingEnabled"?',
      'dev.yaml:12:9: configurationSets[name=transactional].eventDestinations[name=metrics]: say where SES publishes the events: one of cloudWatch, sns, eventBridge, firehose, pinpoint.',
      'dev.yaml:14:9: configurationSets[name=transactional].eventDestinations[name=metrics].cloudwatch: unknown field "cloudwatch". Did you mean "cloudWatch"?',
    ]);
  });

  test('wrong types say what was expected and what was found', () => {
    const { lines } = load({
      'dev.yaml': `name: dev
accountId: 111111111111
deployRole: { arn: "arn:aws:iam::111111111111:role/x" }
regions: eu-west-1
stateBackend: { bucket: state-bucket, keyPrefix: ses, region: eu-west-1 }
wave: first
protect: "yes"
configurationSets: []
`,
    });
    expect(lines).toEqual([
      'dev.yaml:2:12: accountId: the account id must be a text of 12 digits: quote it (accountId: "111111111111") so that leading zeros survive.',
      'dev.yaml:4:10: regions: must be a list, found string "eu-west-1".',
      'dev.yaml:6:7: wave: the rollout wave must be a whole number (0 rolls out first).',
      'dev.yaml:7:10: protect: must be a boolean, found string "yes".',
    ]);
  });

  test('a deploy role in another account is refused', () => {
    const { lines } = load({
      'dev.yaml': environmentYaml('dev', '111111111111').replace('iam::111111111111', 'iam::999999999999'),
    });
    expect(lines).toEqual([
      "dev.yaml:4:8: deployRole.arn: the deploy role is in account 999999999999, but the environment's accountId is 111111111111: the stack would assume a role in another account.",
    ]);
  });

  test('every problem of every file is reported in one run, with the documented path format', () => {
    const { lines } = load({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
  - name: first
  - name: second
    eventDestinations:
      - name: metrics
        eventTypes: [send]
        cloudWatch:
          dimensions:
            - { name: a, source: messageTag, defaultValue: none }
            - { name: b, source: messageTag, defaultValue: none }
            - { name: "bad name", source: messageTag, defaultValue: none }
`,
      ),
      'prod.yaml': environmentYaml('prod', '222222222222', 'regions: []\n').replace('regions: [eu-west-1]\n', ''),
    });
    expect(lines).toEqual([
      'dev.yaml:17:23: configurationSets[name=second].eventDestinations[name=metrics].cloudWatch.dimensions[name="bad name"].name: "bad name" is not a valid dimension name: use 1 to 256 letters, digits, "_", "-" and ":" (" " is not allowed). Did you mean "bad-name"?',
      'prod.yaml:6:1: regions: at least one region is required: each region is a stack of its own.',
    ]);
  });

  test('duplicate environment names, duplicate stacks and a set shared by two environments of one account are refused', () => {
    const { lines, names } = load({
      'a.yaml': environmentYaml('dev', '111111111111', 'configurationSets: [{ name: shared }]\n'),
      'b.yaml': environmentYaml('dev', '222222222222', 'configurationSets: []\n'),
      'c.yaml': environmentYaml('other', '111111111111', 'configurationSets: [{ name: shared }]\n'),
    });
    expect(names).toEqual(['dev', 'dev', 'other']);
    expect(lines).toEqual([
      'b.yaml: name: environment name "dev" is already declared in a.yaml: environment names must be unique.',
      'c.yaml: configurationSets[0].name: configuration set "shared" is also declared by environment "dev" (a.yaml) in account 111111111111, region eu-west-1: two stacks would manage the same set. Give one of them another name.',
    ]);
  });

  test('an empty folder and a missing folder are problems', () => {
    expect(load({}).lines).toEqual([
      expect.stringMatching(/no environment files \(\.ts, \.yaml, \.yml, \.json\) in this folder\.$/),
    ]);
    expect(loadEnvironments('/nonexistent/environments').problems[0].message).toBe('no such environments folder.');
  });

  test('a TypeScript file that throws or has no default export is reported', () => {
    const { lines } = load({
      'broken.ts': "throw new Error('boom');\n",
      'nodefault.ts': 'export const environment = {};\n',
    });
    expect(lines).toEqual([
      expect.stringMatching(/^broken\.ts: cannot load the TypeScript file: boom$/),
      'nodefault.ts: a TypeScript environment must `export default defineEnvironment({...})`.',
    ]);
  });
});

describe('state bucket names', () => {
  const load = (files: Record<string, string>) => {
    const { dir, cleanup } = writeFiles(files);
    try {
      return loadEnvironments(dir);
    } finally {
      cleanup();
    }
  };
  const withBucket = (name: string, account: string, bucket: string, extra = '') =>
    environmentYaml(name, account).replace(
      /stateBackend: .*\n/,
      `stateBackend: { bucket: "${bucket}", keyPrefix: ses, region: eu-central-1${extra} }\n`,
    );

  test('"{accountId}" and "{region}" (the bucket\'s region) are replaced per environment', () => {
    const { environments, problems } = load({
      'a.yaml': withBucket('a', '740000000051', 'acme-ses-state-{accountId}-{region}'),
      'b.yaml': withBucket('b', '740000000052', 'acme-ses-state-{accountId}-{region}'),
    });
    expect(problems).toEqual([]);
    expect(environments.map(({ environment }) => environment.stateBackend.bucket)).toEqual([
      'acme-ses-state-740000000051-eu-central-1',
      'acme-ses-state-740000000052-eu-central-1',
    ]);
  });

  test.each([
    [
      'an unknown placeholder',
      'acme-{account}',
      /is not an S3 bucket name: .*"\{accountId\}" and "\{region\}" stand for/,
    ],
    [
      'a name that grows past 63 characters',
      'a-rather-long-prefix-for-state-buckets-{accountId}-{region}',
      /becomes "a-rather-long-prefix-for-state-buckets-740000000051-eu-central-1" for this environment, which is not an S3 bucket name .* shorten the fixed part/,
    ],
  ])('refuses %s', (_what, bucket, message) => {
    const { problems } = load({ 'a.yaml': withBucket('a', '740000000051', bucket) });
    expect(problems).toEqual([
      expect.objectContaining({ path: 'stateBackend.bucket', message: expect.stringMatching(message) }),
    ]);
  });

  test('two accounts declaring one bucket are refused, each file naming the other; shared on purpose is fine', () => {
    const { problems } = load({
      'a.yaml': withBucket('a', '740000000051', 'acme-ses-state'),
      'b.yaml': withBucket('b', '740000000052', 'acme-ses-state'),
    });
    expect(problems.map((problem) => [problem.file.replace(/.*\//, ''), problem.path])).toEqual([
      ['a.yaml', 'stateBackend.bucket'],
      ['b.yaml', 'stateBackend.bucket'],
    ]);
    expect(problems[0].message).toMatch(
      /^state bucket "acme-ses-state" is also declared for account 740000000052 \(b in .*b\.yaml\): S3 bucket names are global, so the second account's bootstrap would fail with BucketAlreadyExists\. .*"acme-ses-state-\{accountId\}-\{region\}".*stateBackend\.shared: true/,
    );
    const shared = load({
      'a.yaml': withBucket('a', '740000000051', 'acme-ses-state', ', shared: true'),
      'b.yaml': withBucket('b', '740000000052', 'acme-ses-state', ', shared: true'),
    });
    expect(shared.problems).toEqual([]);
  });
});
