import { didYouMean } from '../../modules/did-you-mean';
import { EXIT } from '../exit-codes';
import type { Command } from './command';
import { namedStacks, onDemand } from './environments';

/** senders: the sender contract of one environment's sets (the same in each of its regions). */
export const senders: Command = {
  name: 'senders',
  summary: "what applications put on their mail so that every dimension of --env's sets gets a real value",
  options: ['env', 'environments', 'set', 'format'],
  run({ options, out }) {
    if (options.env.length !== 1)
      throw new Error('senders needs one --env NAME: the environment whose sets to describe.');
    const { SENDER_FORMATS, renderContracts, senderContract } =
      onDemand<typeof import('../verify/sender-contract')>('../verify/sender-contract');
    const format = options.format ?? 'api';
    if (!(SENDER_FORMATS as readonly string[]).includes(format))
      throw new Error(
        `--format ${format}: expected one of ${SENDER_FORMATS.join(', ')}.${didYouMean(format, SENDER_FORMATS)}`,
      );
    const sets = namedStacks(options, 'senders')[0].configurationSets;
    const chosen = options.set === undefined ? sets : sets.filter((set) => set.name === options.set);
    if (chosen.length === 0) {
      const names = sets.map((set) => set.name);
      throw new Error(
        `--set ${options.set}: environment ${options.env[0]} has no such set (${names.join(', ') || 'none'}).${didYouMean(options.set!, names)}`,
      );
    }
    out.write(renderContracts(chosen.map(senderContract), format as (typeof SENDER_FORMATS)[number]));
    return EXIT.ok;
  },
};
