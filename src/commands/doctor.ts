import { EXIT } from '../exit-codes';
import type { Command } from './command';
import { onDemand } from './environments';

export const doctor: Command = {
  name: 'doctor',
  summary: 'check what this machine gives sesform (Node, Terraform, the AWS provider, the emulator, credentials)',
  options: ['json'],
  run({ options, out }) {
    const { doctorChecks, doctorText } = onDemand<typeof import('../doctor')>('../doctor');
    const checks = doctorChecks();
    out.write(options.json ? `${JSON.stringify({ checks }, null, 2)}\n` : doctorText(checks));
    return checks.some((check) => check.status === 'fail') ? EXIT.error : EXIT.ok;
  },
};
