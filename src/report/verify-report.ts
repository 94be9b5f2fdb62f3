/**
 * The report of `sesform verify`: per stack, per destination and event type, whether the expected
 * CloudWatch series got its data point, with the likely cause when not; its exit code; text and
 * Markdown forms.
 */
import { markdown } from './escape';
import { EXIT } from '../exit-codes';

export interface ExpectedDimension {
  readonly name: string;
  /** Undefined: any value (SES's own for auto-tags it fills from the sending machine, such as ses:source-ip). */
  readonly value?: string;
}

export type SeriesStatus = 'verified' | 'missing' | 'not-verifiable';

export interface SeriesResult {
  readonly configurationSet: string;
  readonly destination: string;
  /** Absent when the whole destination is not verifiable (disabled, or its set does not send). */
  readonly eventType?: string;
  readonly metricName?: string;
  readonly dimensions?: readonly ExpectedDimension[];
  /** For an SNS, EventBridge or Firehose destination: where its event records were looked for. */
  readonly target?: string;
  readonly status: SeriesStatus;
  readonly cause?: string;
}

export interface StackVerification {
  readonly stack: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly messagesSent: number;
  readonly results: readonly SeriesResult[];
  readonly error?: string;
}

export interface VerifyReport {
  readonly command: 'verify';
  readonly local: boolean;
  readonly probe: boolean;
  readonly stacks: readonly StackVerification[];
  readonly exitCode: number;
}

/** A stack's verification failed: it could not be verified, or a series is missing. */
export function verificationFailed(stack: StackVerification): boolean {
  return stack.error !== undefined || stack.results.some((result) => result.status === 'missing');
}

/** 1 when a stack could not be verified at all, else 2 when a series is missing, else 0. */
export function verifyExitCode(stacks: readonly StackVerification[]): number {
  if (stacks.some((stack) => stack.error !== undefined)) return EXIT.error;
  if (stacks.some(verificationFailed)) return EXIT.changes;
  return EXIT.ok;
}

const count = (stacks: readonly StackVerification[], status: SeriesStatus) =>
  stacks.reduce((total, stack) => total + stack.results.filter((result) => result.status === status).length, 0);

/** `Send {campaign=spring, link=*}`: the metric and its dimension values (`*`: any value). */
export function seriesText(result: SeriesResult): string {
  const dimensions = (result.dimensions ?? [])
    .map((dimension) => `${dimension.name}=${dimension.value ?? '*'}`)
    .join(', ');
  if (result.target !== undefined)
    return `${result.metricName ?? result.eventType ?? 'all events'} record at ${result.target}`;
  return `${result.metricName ?? result.eventType ?? 'all events'}${dimensions ? ` {${dimensions}}` : ''}`;
}

/** One line of counts: verified, missing, not verifiable. */
export function verificationSummary(stacks: readonly StackVerification[]): string {
  return `${count(stacks, 'verified')} verified, ${count(stacks, 'missing')} missing, ${count(stacks, 'not-verifiable')} not verifiable on demand`;
}

export function verifyText(report: VerifyReport): string {
  const lines = [
    `sesform verify${report.local ? ' (local emulator)' : ''}${report.probe ? ' (probe values)' : ''}: ${report.stacks.length} stack(s): ${verificationSummary(report.stacks)}`,
    ...verificationLines(report.stacks),
    '',
    `exit ${report.exitCode}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Per stack, each series' result and cause (verify's report, and rollout --verify's). */
export function verificationLines(stacks: readonly StackVerification[]): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    lines.push(
      '',
      `${stack.stack} (account ${stack.accountId}, ${stack.region}): ${stack.messagesSent} test message(s)`,
    );
    if (stack.error) lines.push(`    ERROR: ${stack.error}`);
    for (const result of stack.results) {
      const mark = { verified: 'ok     ', missing: 'MISSING', 'not-verifiable': 'n/a    ' }[result.status];
      lines.push(`    ${mark} ${result.configurationSet}/${result.destination}: ${seriesText(result)}`);
      if (result.cause) lines.push(`            ${result.cause}`);
    }
  }
  return lines;
}

export function verifyMarkdown(report: VerifyReport): string {
  return `${[`## sesform verify${report.local ? ' (local emulator)' : ''}`, '', ...verificationTable(report.stacks)].join('\n')}\n`;
}

/** The results as a Markdown table, after a line of counts. */
export function verificationTable(stacks: readonly StackVerification[]): string[] {
  const lines = [
    `${count(stacks, 'verified')} verified, **${count(stacks, 'missing')} missing**, ${count(stacks, 'not-verifiable')} not verifiable on demand.`,
    '',
    '| stack | set / destination | series | result | cause |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const stack of stacks) {
    if (stack.error) lines.push(markdown`| ${stack.stack} | | | error | ${stack.error} |`);
    for (const result of stack.results)
      lines.push(
        markdown`| ${stack.stack} | ${result.configurationSet} / ${result.destination} | ${seriesText(result)} | ${result.status} | ${result.cause ?? ''} |`,
      );
  }
  return lines;
}
