/**
 * Synthesizes constructs and gives typed access to the resources, so tests assert on meaning
 * ("the destination publishes BOUNCE") rather than on JSON paths.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Testing } from '../../src/cdk/cdk-core';
import { loadEnvironments } from '../../src/fleet/loader';
import { formatProblem } from '../../src/environment/problems';

export interface SynthesizedDimension {
  dimension_name: string;
  dimension_value_source: string;
  default_dimension_value: string;
}

export interface SynthesizedDestination {
  configuration_set_name: string;
  event_destination_name: string;
  event_destination: {
    enabled: boolean;
    matching_event_types: string[];
    cloud_watch_destination: { dimension_configuration: SynthesizedDimension[] };
  };
}

export interface SynthesizedConfigurationSet {
  configuration_set_name: string;
  sending_options: { sending_enabled: boolean };
  reputation_options: { reputation_metrics_enabled: boolean };
  delivery_options?: { tls_policy?: string; sending_pool_name?: string; max_delivery_seconds?: number };
  tracking_options?: { custom_redirect_domain: string; https_policy?: string };
  suppression_options?: { suppressed_reasons: string[] };
  tags?: Record<string, string>;
  lifecycle?: { prevent_destroy?: boolean };
}

export interface SynthesizedStack {
  readonly json: string;
  readonly parsed: {
    provider?: { aws: Record<string, unknown>[] };
    terraform: {
      backend?: { s3: Record<string, unknown> };
      required_providers: Record<string, { source?: string; version: string }>;
    };
    resource?: Record<string, Record<string, unknown>>;
  };
  configurationSet(name: string): SynthesizedConfigurationSet;
  destination(setName: string, destinationName: string): SynthesizedDestination;
  count(resourceType: string): number;
}

export function readStack(json: string): SynthesizedStack {
  const parsed = JSON.parse(json) as SynthesizedStack['parsed'];
  const ofType = <T>(type: string) => Object.values(parsed.resource?.[type] ?? {}) as T[];
  const single = <T>(found: T[], what: string): T => {
    if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}`);
    return found[0];
  };
  // A destination names its set literally or through a reference to the managed set's resource.
  const setNameOf = (destination: SynthesizedDestination): string => {
    const reference = /^\$\{aws_sesv2_configuration_set\.([^.]+)\.configuration_set_name\}$/.exec(
      destination.configuration_set_name,
    );
    if (reference === null) return destination.configuration_set_name;
    const set = parsed.resource?.aws_sesv2_configuration_set?.[reference[1]] as SynthesizedConfigurationSet | undefined;
    return set?.configuration_set_name ?? destination.configuration_set_name;
  };
  return {
    json,
    parsed,
    configurationSet: (name) =>
      single(
        ofType<SynthesizedConfigurationSet>('aws_sesv2_configuration_set').filter(
          (set) => set.configuration_set_name === name,
        ),
        `configuration set ${name}`,
      ),
    destination: (setName, destinationName) =>
      single(
        ofType<SynthesizedDestination>('aws_sesv2_configuration_set_event_destination').filter(
          (destination) => destination.event_destination_name === destinationName && setNameOf(destination) === setName,
        ),
        `destination ${setName}/${destinationName}`,
      ),
    count: (resourceType) => ofType(resourceType).length,
  };
}

/** Synthesizes whatever `build` adds to a fresh stack. */
export function synth(build: (stack: TerraformStack) => void): SynthesizedStack {
  return readStack(Testing.synthScope((scope) => build(scope as TerraformStack)));
}

/** A temporary folder with the given files; removed by the returned cleanup. */
export function writeFiles(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-test-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Loads environment files written to a temporary folder: the environments, and each problem as printed (paths relative). */
export function loadFiles(files: Record<string, string>) {
  const { dir, cleanup } = writeFiles(files);
  try {
    const result = loadEnvironments(dir);
    return {
      ...result,
      names: result.environments.map(({ environment }) => environment.name),
      lines: result.problems.map((problem) => formatProblem(problem).replaceAll(`${dir}${path.sep}`, '')),
    };
  } finally {
    cleanup();
  }
}

/** The project's root folder. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The fields of a valid one-region environment, as an object (for JSON files and schema parses). */
export function environmentFields(name: string, account: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    accountId: account,
    deployRole: { arn: `arn:aws:iam::${account}:role/ses-deploy` },
    regions: ['eu-west-1'],
    // S3 names are global: one state bucket per account, as validate requires.
    stateBackend: { bucket: 'state-{accountId}', keyPrefix: 'ses', region: 'eu-west-1' },
    ...extra,
  };
}

/** A valid environment in YAML, with overrides appended as extra YAML lines. */
export function environmentYaml(name: string, account: string, extra = ''): string {
  return `name: ${name}
accountId: "${account}"
deployRole:
  arn: arn:aws:iam::${account}:role/ses-deploy
regions: [eu-west-1]
stateBackend: { bucket: "state-{accountId}", keyPrefix: ses, region: eu-west-1 }
${extra}`;
}

/** The sample environment files (name -> content), for the tests about the samples. */
export function sampleFiles(): Record<string, string> {
  const samples = path.join(PROJECT_ROOT, 'environments');
  return Object.fromEntries(
    fs
      .readdirSync(samples)
      .filter((file) => /\.(ya?ml|json|ts)$/.test(file))
      .map((file) => [file, fs.readFileSync(path.join(samples, file), 'utf8')]),
  );
}
