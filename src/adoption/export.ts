/**
 * `sesform export`: an environment file written from what an account already holds in one region,
 * with an import manifest for every set and CloudWatch destination in it, so that the exported
 * environment plans as imports rather than creates. Reputation alarms on the sets become the sets'
 * monitoring thresholds (alarms named as sesform names them are imported; others are listed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { EnvironmentDefinition, EnvironmentSchema } from '../environment/schema';
import { resolveFleet } from '../fleet/fleet';
import type { LocalTarget } from '../local/local-target';
import { writeImportManifest } from './import-manifest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ConfigurationSetDefinition } from '../environment/schema';
import { ExistingAlarm, alarmTopicOf, readSesAlarms, reputationThresholdsOf } from './ses-alarms';
import { accountClientConfig, sesClientFor } from '../aws/account-access';
import { readConfigurationSets } from './ses-account';

export interface ExportRequest {
  readonly name: string;
  readonly roleArn: string;
  readonly externalId?: string;
  readonly region: string;
  readonly stateBackend: { bucket: string; keyPrefix: string; region: string };
  /** The environment file to write; its folder gets the import manifest. */
  readonly file: string;
  readonly local?: LocalTarget;
}

export interface ExportResult {
  readonly file: string;
  readonly manifest: string;
  readonly configurationSets: number;
  readonly eventDestinations: number;
  /** Existing alarms on SES metrics: imported (same name as sesform's), replaced by sesform's own, or left alone. */
  readonly alarms: { readonly imported: string[]; readonly replaced: string[]; readonly leftAlone: string[] };
}

export async function exportEnvironment(request: ExportRequest): Promise<ExportResult> {
  if (fs.existsSync(request.file)) throw new Error(`${request.file} exists already; export never overwrites a file.`);
  const accountId = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(request.roleArn)?.[1];
  if (accountId === undefined) throw new Error(`${JSON.stringify(request.roleArn)} is not an IAM role ARN.`);
  const access = {
    roleArn: request.roleArn,
    externalId: request.externalId,
    region: request.region,
    local: request.local,
  };
  const ses = await sesClientFor(access);
  const existing = await readConfigurationSets(ses, accountId, request.region).finally(() => ses.destroy());
  const cloudWatch = new CloudWatchClient(await accountClientConfig(access, 'sesform-export'));
  const alarms = await readSesAlarms(cloudWatch).finally(() => cloudWatch.destroy());
  const configurationSets = existing.map((set) => withReputationAlarms(set.definition, alarms));
  const watched = configurationSets.some((set) => set.monitoring !== undefined);
  const topicArn = alarmTopicOf(alarms);

  const definition: EnvironmentDefinition = {
    name: request.name,
    accountId,
    deployRole: { arn: request.roleArn, ...(request.externalId ? { externalId: request.externalId } : {}) },
    regions: [request.region],
    stateBackend: request.stateBackend,
    configurationSets,
    // Only what the account has: reputation alarms of the sets that had them, no dashboard.
    ...(watched
      ? { monitoring: { reputation: false, dashboard: false, ...(topicArn ? { notify: { topicArn } } : {}) } }
      : {}),
  };
  const checked = EnvironmentSchema.safeParse(definition);
  if (!checked.success)
    throw new Error(
      `what the account holds does not make a valid environment:\n${checked.error.issues
        .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
        .join('\n')}`,
    );

  const header = `# Exported by sesform from account ${accountId}, ${request.region}, on ${new Date().toISOString().slice(0, 10)}.\n# Review it, then plan: every set and destination below is imported, not created.\n`;
  fs.mkdirSync(path.dirname(path.resolve(request.file)), { recursive: true });
  fs.writeFileSync(request.file, header + stringify(definition));
  // The written file's own fleet gives the stack and every import ID, as synth will see them.
  const [stack] = resolveFleet([{ file: request.file, environment: checked.data }]).stacks;
  const declaredAlarms = (stack.monitoring?.alarms ?? []).map((alarm) => alarm.name);
  const existingNames = alarms.map((alarm) => alarm.name);
  const imports = {
    configurationSets: stack.configurationSets.map((set) => set.importId),
    eventDestinations: stack.configurationSets.flatMap((set) =>
      set.destinations.map((destination) => destination.importId),
    ),
    alarms: declaredAlarms.filter((name) => existingNames.includes(name)),
  };
  const expressed = new Set(
    alarms
      .filter((alarm) => configurationSets.some((set) => reputationThresholdsOf([alarm], set.name) !== undefined))
      .map((alarm) => alarm.name),
  );
  const manifest = writeImportManifest(request.file, stack.name, imports);
  return {
    file: request.file,
    manifest,
    configurationSets: imports.configurationSets.length,
    eventDestinations: imports.eventDestinations.length,
    alarms: {
      imported: [...imports.alarms],
      replaced: existingNames.filter((name) => expressed.has(name) && !imports.alarms.includes(name)),
      leftAlone: existingNames.filter((name) => !expressed.has(name)),
    },
  };
}

/** The set with its existing reputation alarms' thresholds as its monitoring, when it has any. */
function withReputationAlarms(
  set: ConfigurationSetDefinition,
  alarms: readonly ExistingAlarm[],
): ConfigurationSetDefinition {
  const thresholds = set.reputationMetrics ? reputationThresholdsOf(alarms, set.name) : undefined;
  return thresholds === undefined ? set : { ...set, monitoring: { reputation: thresholds } };
}
