import { EXIT } from '../exit-codes';
import type { Command } from './command';
import { onDemand, selectedEnvironments } from './environments';
import { SELECTION } from './options';

export const iamPolicy: Command = {
  name: 'iam-policy',
  summary: "--env's roles as JSON, for review: deploy and plan roles, pipeline roles; trust and policy of each",
  options: SELECTION,
  run({ options, out }) {
    if (options.env.length === 0) throw new Error('iam-policy needs --env NAME.');
    const { fleet, every } = selectedEnvironments(options, 'nothing was done');
    const { iamRoles } = onDemand<typeof import('../bootstrap/iam-roles')>('../bootstrap/iam-roles');
    out.write(`${JSON.stringify({ roles: iamRoles(fleet.stacks, every.stacks) }, null, 2)}\n`);
    return EXIT.ok;
  },
};
