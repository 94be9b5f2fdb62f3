import type { Command } from './command';
import { ENGINE } from './options';
import { runEngine } from './run-engine';
import { checkStackSelection } from './selection';

export const plan: Command = {
  name: 'plan',
  summary: 'synth, init and plan the selected stacks in parallel; save the plans for apply',
  options: [...ENGINE, 'plans', 'read-only', 'reviewed'],
  check: checkStackSelection('plan'),
  run: (context) => runEngine('plan', context),
};
