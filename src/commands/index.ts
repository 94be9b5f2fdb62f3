/** Every command, in the order `sesform --help` lists them. */
import { adopt } from './adopt';
import { apply } from './apply';
import { bootstrap } from './bootstrap';
import type { Command } from './command';
import { cost } from './cost';
import { doctor } from './doctor';
import { drift } from './drift';
import { emulator } from './emulator';
import { exportCommand } from './export';
import { iamPolicy } from './iam-policy';
import { plan } from './plan';
import { report } from './report';
import { rollout } from './rollout';
import { senders } from './senders';
import { synth } from './synth';
import { unlock } from './unlock';
import { validate } from './validate';
import { verify } from './verify';

export const COMMANDS: readonly Command[] = [
  plan,
  apply,
  drift,
  rollout,
  verify,
  senders,
  report,
  unlock,
  emulator,
  validate,
  cost,
  synth,
  adopt,
  exportCommand,
  iamPolicy,
  bootstrap,
  doctor,
];

export function commandNamed(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
