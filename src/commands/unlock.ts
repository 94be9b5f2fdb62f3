import type { Command } from './command';
import { cdktfOutputDir } from './environments';
import { engineModule } from './run-engine';

/** A stack name as sesform makes them (`<env>-<region>`): never a path. */
const STACK_NAME = /^[a-z][a-z0-9-]{0,127}$/;

export const unlock: Command = {
  name: 'unlock',
  summary: 'release a state lock left by a killed terraform (--stack, --lock-id: the report gives both)',
  options: ['stack', 'lock-id', 'local', 'output'],
  run({ options, out }) {
    if (options.stack !== undefined && !STACK_NAME.test(options.stack))
      throw new Error(`--stack ${options.stack}: not a stack name (such as prod-eu-west-1).`);
    return engineModule().unlockCommand({
      stack: options.stack,
      lockId: options['lock-id'],
      local: options.local,
      output: options.output,
      defaultOutput: cdktfOutputDir(),
      out,
    });
  },
};
