import type { Command } from './command';
import { EXIT } from '../exit-codes';
import { SESFORM_VARIABLES, setting } from '../config';
import { engineModule } from './run-engine';
import { CommandRefusal } from './command';
import { onDemand, printRefusal, selectedEnvironments } from './environments';

export const emulator: Command = {
  name: 'emulator',
  summary:
    'run the embedded emulator until Ctrl-C, for plan and apply run separately with --local; --print-env: reach an account in it by hand',
  options: ['tls', 'print-env', 'env', 'environments', 'region', 'endpoint'],
  check({ options }) {
    if (!options['print-env']) {
      const stray = (['env', 'region', 'endpoint'] as const).filter((name) =>
        name === 'env' ? options.env.length > 0 : options[name] !== undefined,
      );
      return stray.length > 0 ? [`--${stray.join(', --')}: only with --print-env.`] : [];
    }
    if (options.env.length !== 1) return ['--print-env needs one --env NAME: the environment whose account to reach.'];
    if (options.tls) return ['--tls starts an emulator; --print-env reads a running one: use one of them.'];
    return [];
  },
  async run({ options, out, err }) {
    if (!options['print-env']) return engineModule().emulatorCommand(out, { tls: options.tls });
    const endpoint = options.endpoint ?? setting('localEndpoint');
    if (endpoint === undefined)
      throw new Error(
        `--print-env reads a running emulator: give its address with --endpoint URL or ${SESFORM_VARIABLES.localEndpoint} (\`npx sesform emulator\` prints both).`,
      );
    let fleet;
    try {
      ({ fleet } = selectedEnvironments(options, 'nothing was printed'));
    } catch (error) {
      if (!(error instanceof CommandRefusal)) throw error;
      // On stderr: stdout is for `eval "$(...)"`, which must get nothing to run.
      printRefusal(error, err, false);
      return error.exitCode;
    }
    const stacks = fleet.stacks;
    const stack = options.region === undefined ? stacks[0] : stacks.find((each) => each.region === options.region);
    if (stack === undefined)
      throw new Error(
        `environment ${options.env[0]} has no region ${options.region}; its regions: ${stacks.map((each) => each.region).join(', ')}.`,
      );
    const { accountVariableLines, accountVariables } =
      onDemand<typeof import('../aws/account-variables')>('../aws/account-variables');
    const { localTarget } = onDemand<typeof import('../local/local-target')>('../local/local-target');
    // No terraform runs here: the target's provider version is never read.
    const variables = await accountVariables(stack, localTarget(endpoint, ''));
    out.write(`${accountVariableLines(stack, variables).join('\n')}\n`);
    return EXIT.ok;
  },
};
