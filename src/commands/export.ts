import * as path from 'node:path';
import { environmentsDir } from '../fleet/loader';
import { displayPath } from '../environment/problems';
import { EXIT } from '../exit-codes';
import { requestedLocalTarget } from '../local/local-target';
import type { Command } from './command';
import { onDemand, selectedEnvironments } from './environments';
import { SELECTION } from './options';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write an environment file from what an account already holds (--name, --role, --region)',
  options: [
    ...SELECTION,
    'name',
    'role',
    'region',
    'external-id',
    'state-bucket',
    'state-key-prefix',
    'state-region',
    'output',
    'json',
    'local',
    'endpoint',
  ],
  async run({ options, out }) {
    const base =
      options.env.length > 0
        ? selectedEnvironments(options, 'nothing was exported').environments[0].environment
        : undefined;
    const name = options.name ?? base?.name;
    const roleArn = options.role ?? base?.deployRole.arn;
    const region = options.region ?? base?.regions[0];
    if (name === undefined || roleArn === undefined || region === undefined)
      throw new Error('export needs --name, --role and --region (or --env NAME to take them from an environment).');
    const file = path.resolve(options.output ?? path.join(environmentsDir(options.environments), `${name}.yaml`));
    const { exportEnvironment } = onDemand<typeof import('../adoption/export')>('../adoption/export');
    const result = await exportEnvironment({
      name,
      roleArn,
      externalId: options['external-id'] ?? base?.deployRole.externalId,
      region,
      stateBackend: {
        bucket:
          options['state-bucket'] ??
          base?.stateBackend.bucket ??
          `sesform-state-${/::(\d{12}):/.exec(roleArn)?.[1] ?? 'account'}`,
        keyPrefix: options['state-key-prefix'] ?? base?.stateBackend.keyPrefix ?? 'ses',
        region: options['state-region'] ?? base?.stateBackend.region ?? region,
      },
      file,
      local: requestedLocalTarget(options),
    });
    if (options.json) out.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    else {
      out.write(
        `Exported ${result.configurationSets} configuration set(s) and ${result.eventDestinations} destination(s) to ${displayPath(result.file)}; imports in ${displayPath(result.manifest)}.\n`,
      );
      for (const alarm of result.alarms.imported) out.write(`  alarm ${alarm}: imported\n`);
      for (const alarm of result.alarms.replaced)
        out.write(
          `  alarm ${alarm}: its threshold is in the file; sesform creates its own alarm beside it, so delete ${alarm} after the first rollout\n`,
        );
      for (const alarm of result.alarms.leftAlone)
        out.write(`  alarm ${alarm}: on SES metrics but not a reputation alarm of an exported set; left alone\n`);
    }
    return EXIT.ok;
  },
};
