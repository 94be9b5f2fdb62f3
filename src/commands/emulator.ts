import type { Command } from './command';
import { engineModule } from './run-engine';

export const emulator: Command = {
  name: 'emulator',
  summary: 'run the embedded emulator until Ctrl-C, for plan and apply run separately with --local',
  options: ['tls'],
  run: ({ options, out }) => engineModule().emulatorCommand(out, { tls: options.tls }),
};
