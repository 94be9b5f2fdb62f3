import type { Command } from './command';
import { ENGINE } from './options';
import { runEngine } from './run-engine';
import { checkStackSelection } from './selection';

export const rollout: Command = {
  name: 'rollout',
  summary: 'plan, then apply wave by wave (asks per wave on a terminal; --auto-approve in pipelines)',
  options: [...ENGINE, 'plans', 'allow-destroy', 'auto-approve', 'verify', 'reviewed'],
  check: checkStackSelection('rollout'),
  run: (context) => runEngine('rollout', context),
};
