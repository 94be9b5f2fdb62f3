/**
 * `sesform verify` as the CLI runs it (loaded on demand: it brings the SES and CloudWatch SDKs): the
 * plans of the selected stacks, the probe's cost said before anything is sent, the run, the report.
 */
import * as fs from 'node:fs';
import { CUSTOM_METRIC_PRICES } from '../cost/cloudwatch-prices';
import type { FleetStack } from '../fleet/fleet';
import { LocalTarget, localTarget } from '../local/local-target';
import { localProviderVersion } from '../terraform/terraform';
import { VerificationPlan, probeSeries, verificationPlan } from './verification-plan';
import { verifyReportHtml } from '../report/html';
import { verifyStacks } from './verify';
import { VerifyReport, verifyExitCode, verifyMarkdown, verifyText } from '../report/verify-report';
import { formatDollars } from '../format';

/** The emulator's sender when an environment declares none: the emulator verifies it on the spot. */
export const LOCAL_SENDER = 'sesform-verify@example.com';
/** Amazon SES pricing, outbound email, as of the date of the CloudWatch price table: USD per message. */
export const SES_USD_PER_MESSAGE = 0.0001;
/** Seconds to wait for the metrics: SES publishes within minutes on AWS, at once in the emulator. */
export const DEFAULT_TIMEOUT_SECONDS = { aws: 600, local: 30 } as const;

export interface VerifyRun {
  readonly stacks: readonly FleetStack[];
  readonly local?: LocalTarget;
  readonly probe: boolean;
  readonly timeoutSeconds?: number;
  readonly concurrency: number;
  readonly progress: (line: string) => void;
}

export function plansOf(stacks: readonly FleetStack[], local: boolean, probe: boolean): VerificationPlan[] {
  return stacks.map((stack) =>
    verificationPlan(stack, { local, probe, from: stack.environment.verify?.from ?? LOCAL_SENDER }),
  );
}

/** What a probe run adds before it sends: the extra series and their cost at the first price tier. */
export function probeCostLine(plans: readonly VerificationPlan[]): string {
  const series = probeSeries(plans).length;
  const perMetric = CUSTOM_METRIC_PRICES.tiers[0].usdPerMetric;
  return `--probe adds ${series} metric series (custom metrics): at most ${series} x ${formatDollars(perMetric)} = ${formatDollars(series * perMetric)} for the month they appear in (CloudWatch prices as of ${CUSTOM_METRIC_PRICES.asOf}).`;
}

/** Runs verify and returns its report (rollout --verify and npm start use it too). */
export async function verifyFleet(run: VerifyRun): Promise<VerifyReport> {
  const plans = plansOf(run.stacks, run.local !== undefined, run.probe);
  if (run.probe) run.progress(probeCostLine(plans));
  const messages = plans.reduce(
    (total, plan) => total + plan.sets.reduce((sum, set) => sum + set.messages.length, 0),
    0,
  );
  if (!run.local)
    run.progress(
      `verify sends ${messages} test message(s) to the SES mailbox simulator: about $${(messages * SES_USD_PER_MESSAGE).toFixed(4)} at SES's outbound price.`,
    );
  const stacks = await verifyStacks({
    plans,
    local: run.local,
    concurrency: run.concurrency,
    timeoutSeconds: run.timeoutSeconds ?? (run.local ? DEFAULT_TIMEOUT_SECONDS.local : DEFAULT_TIMEOUT_SECONDS.aws),
    pollMilliseconds: run.local ? 500 : 30_000,
    progress: run.progress,
  });
  return {
    command: 'verify',
    local: run.local !== undefined,
    probe: run.probe,
    stacks,
    exitCode: verifyExitCode(stacks),
  };
}

export interface VerifyCommand {
  readonly stacks: readonly FleetStack[];
  /** The emulator's address in local mode; null: local mode without one; undefined: AWS. */
  readonly endpoint: string | null | undefined;
  readonly probe: boolean;
  readonly timeoutSeconds?: number;
  readonly concurrency: number;
  readonly json: boolean;
  readonly markdown?: string;
  readonly html?: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export async function runVerify(command: VerifyCommand): Promise<number> {
  if (command.endpoint === null)
    throw new Error(
      'verify --local checks the emulator that holds your local rollout: give its address with --endpoint URL (or SESFORM_LOCAL_ENDPOINT), as `sesform emulator` prints it. npm start and rollout --local --verify verify within their own run.',
    );
  const report = await verifyFleet({
    stacks: command.stacks,
    local: command.endpoint === undefined ? undefined : localTarget(command.endpoint, localProviderVersion()),
    probe: command.probe,
    timeoutSeconds: command.timeoutSeconds,
    concurrency: command.concurrency,
    progress: (line) => command.err.write(`${line}\n`),
  });
  if (command.markdown !== undefined) fs.writeFileSync(command.markdown, verifyMarkdown(report));
  if (command.html !== undefined) fs.writeFileSync(command.html, verifyReportHtml(report));
  command.out.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : verifyText(report));
  return report.exitCode;
}
