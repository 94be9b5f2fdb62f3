import type { Command } from './command';
import { ENGINE } from './options';
import { runEngine } from './run-engine';
import { checkStackSelection } from './selection';

export const drift: Command = {
  name: 'drift',
  summary: 'refresh and compare: changes made outside Terraform, destinations and sets no file declares',
  options: [...ENGINE, 'read-only'],
  check: checkStackSelection('drift'),
  run: (context) => runEngine('drift', context),
};
