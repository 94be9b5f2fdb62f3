import { EXIT } from '../exit-codes';
import { requestedLocalTarget } from '../local/local-target';
import type { Command } from './command';
import { onDemand, selectedEnvironments } from './environments';
import { SELECTION } from './options';

export const adopt: Command = {
  name: 'adopt',
  summary: "import the account's existing sets and destinations that --env declares",
  options: [...SELECTION, 'json', 'local', 'endpoint'],
  async run({ options, out }) {
    if (options.env.length === 0) throw new Error('adopt needs --env NAME: the environment whose account to adopt.');
    const { fleet } = selectedEnvironments(options, 'nothing was adopted');
    const local = requestedLocalTarget(options);
    const { adopt: adoptStacks, describeAdoption } = onDemand<typeof import('../adoption/adopt')>('../adoption/adopt');
    const results = await adoptStacks(fleet.stacks, local);
    if (options.json) out.write(`${JSON.stringify({ ok: true, adoptions: results }, null, 2)}\n`);
    else for (const result of results) out.write(`${describeAdoption(result).join('\n')}\n`);
    return EXIT.ok;
  },
};
