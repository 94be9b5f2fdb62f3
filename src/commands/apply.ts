import type { Command } from './command';
import { ENGINE } from './options';
import { runEngine } from './run-engine';
import { checkStackSelection } from './selection';

export const apply: Command = {
  name: 'apply',
  summary: 'apply exactly the saved plans, wave by wave (a missing or stale plan is an error)',
  options: [...ENGINE, 'plans', 'allow-destroy'],
  check: checkStackSelection('apply'),
  run: (context) => runEngine('apply', context),
};
