import { defaultConcurrency } from '../concurrency';
import { selectStacks } from '../engine/scheduling';
import { localEndpoint } from '../local/local-target';
import type { Command } from './command';
import { onDemand, requireSenders, selectedEnvironments } from './environments';
import { STACKS } from './options';
import { MAX_VERIFY_TIMEOUT_SECONDS, boundedInteger, checkStackSelection, stackSelection } from './selection';

/** verify: the selected stacks (waves, shard), each with a sender identity, then the verification run. */
export const verify: Command = {
  name: 'verify',
  summary: 'send test mail through each set and check CloudWatch for every declared metric series',
  options: [...STACKS, 'probe', 'timeout'],
  check: checkStackSelection('verify'),
  async run({ options, out, err }) {
    const selection = stackSelection(options);
    const timeout =
      options.timeout === undefined ? undefined : boundedInteger(options.timeout, 1, MAX_VERIFY_TIMEOUT_SECONDS);
    if (options.timeout !== undefined && timeout === undefined)
      throw new Error(`--timeout ${options.timeout}: expected whole seconds from 1 to ${MAX_VERIFY_TIMEOUT_SECONDS}.`);
    const { fleet } = selectedEnvironments(options, 'nothing was run');
    const mode = localEndpoint(options);
    if (!mode.local) requireSenders(fleet, 'nothing was sent');
    const { runVerify } = onDemand<typeof import('../verify/verify-command')>('../verify/verify-command');
    return runVerify({
      stacks: selectStacks(fleet.stacks, selection),
      endpoint: mode.local ? (mode.endpoint ?? null) : undefined,
      probe: options.probe,
      timeoutSeconds: timeout,
      concurrency: selection.concurrency ?? defaultConcurrency(),
      json: options.json,
      markdown: options.markdown,
      html: options.html,
      out,
      err,
    });
  },
};
