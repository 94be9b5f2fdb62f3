import { requestedLocalTarget } from '../local/local-target';
import type { Command } from './command';
import { namedStacks, onDemand } from './environments';
import { SELECTION } from './options';

export const bootstrap: Command = {
  name: 'bootstrap',
  summary: "create --env's account's state bucket, deploy role and plan role (plan; --auto-approve applies)",
  options: [...SELECTION, 'admin-role', 'auto-approve', 'local', 'endpoint'],
  run({ options, out }) {
    const stacks = namedStacks(options, 'bootstrap');
    const { bootstrap: run } = onDemand<typeof import('../bootstrap/bootstrap')>('../bootstrap/bootstrap');
    return run({
      stacks,
      adminRoleArn: options['admin-role'],
      local: requestedLocalTarget(options),
      autoApprove: options['auto-approve'],
      out,
    });
  },
};
