/**
 * What a run did, stack by stack: the model behind the terminal, Markdown and JSON reports, its exit
 * code, and the merge of the JSON reports of several shards into one.
 */
import { EXIT } from '../exit-codes';
import type { CostView } from '../cost/cost-view';
import { mergeCostViews } from '../cost/cost-view';
import { StackVerification, verifyExitCode } from './verify-report';
import type {
  AcknowledgedFinding,
  DriftedResource,
  ExpiredFinding,
  StackChanges,
  UnmanagedDestination,
} from './change-model';

export type { UnmanagedDestination };

import type { EngineCommandName } from './command-names';
import { RunReportSchema, parseRecord } from './report-schemas';

export type Command = EngineCommandName;

/**
 * planned: changes saved for apply; no-changes: nothing to do; applied; failed; not-touched: skipped
 * because an earlier wave failed, a guardrail refused, or the run stopped; in-sync / drifted: drift.
 */
export type StackOutcome =
  | 'planned'
  | 'no-changes'
  | 'applied'
  | 'failed'
  | 'not-touched'
  | 'in-sync'
  | 'drifted'
  /** drift: the stack's state holds nothing (never applied there, or an emulator started afresh): not drift. */
  | 'no-state';

export interface LockInfo {
  readonly id: string;
  readonly who?: string;
  readonly operation?: string;
  readonly created?: string;
  /** The command that clears it. */
  readonly clear: string;
}

export interface StackDrift {
  /** Changed or deleted outside Terraform. */
  readonly resources: readonly DriftedResource[];
  /** In a managed set, declared by no environment file. */
  readonly unmanagedDestinations: readonly UnmanagedDestination[];
  /** In the account and region, declared by no environment. Reported, never touched. */
  readonly unmanagedSets: readonly string[];
  /** Unmanaged findings the environment's drift.ignore acknowledges: listed apart, not counted. */
  readonly acknowledged?: readonly AcknowledgedFinding[];
  /** Findings above whose acknowledgement has expired: counted again. */
  readonly expired?: readonly ExpiredFinding[];
}

export interface StackReport {
  readonly stack: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly wave: number;
  readonly protect: boolean;
  outcome: StackOutcome;
  /** What the plan does (plan, apply, rollout), or what restoring the declared state would do (drift). */
  changes?: StackChanges;
  drift?: StackDrift;
  error?: string;
  lock?: LockInfo;
  /** One line per retried step. */
  retries: string[];
  /** Resources an interrupted apply had created, taken into the state instead of created again. */
  recovered: string[];
  /** --reviewed: how this stack's plan differs from the reviewed one (empty: it is that plan). */
  review?: { readonly differences: readonly string[] };
  seconds?: number;
}

/** A guardrail's refusal, by stack (and set): what renderers mark, never found by matching text. */
export interface Refusal {
  readonly stack: string;
  /** The configuration set a destroy-protection refusal is about. */
  readonly configurationSet?: string;
  readonly reason: 'destroy-protection' | 'not-reviewed';
  /** Why, in words, without the stack's name (renderers put it first). */
  readonly message: string;
}

export interface RunReport {
  readonly command: Command;
  readonly local: boolean;
  /** `I/N` when the run was one shard; absent in a merged report. */
  readonly shard?: string;
  /** Planned through the plan roles (--read-only): nothing in it can be applied. */
  readonly readOnly?: true;
  /** --reviewed: each plan with changes was compared with the plan a review approved. */
  readonly reviewed?: true;
  readonly stacks: StackReport[];
  /** Guardrail refusals (destroy protection, plans not the reviewed ones): the run changed nothing. */
  readonly refusals: Refusal[];
  /** Why the run stopped early, when it did. */
  stopped?: string;
  /** The signal (SIGINT, SIGTERM) that stopped the run, when one did. */
  interrupted?: string;
  /** rollout --verify: each verified wave's stacks. */
  verification?: StackVerification[];
  /** The cost model's figures for the run's stacks (for the HTML view's charts). */
  cost?: CostView;
  exitCode: number;
}

export function hasDrift(drift: StackDrift | undefined): boolean {
  return (
    drift !== undefined && drift.resources.length + drift.unmanagedDestinations.length + drift.unmanagedSets.length > 0
  );
}

/** The stacks whose plan is not the one the review approved (--reviewed). */
export function unreviewedStacks(report: Pick<RunReport, 'stacks'>): StackReport[] {
  return report.stacks.filter((stack) => (stack.review?.differences.length ?? 0) > 0);
}

/** 130 when a signal stopped the run, else 1 on any failure, else 3 on a refusal, else 2 when changes or drift remain (or were left unapplied), else 0. */
export function exitCodeOf(
  report: Pick<RunReport, 'command' | 'stacks' | 'refusals' | 'stopped' | 'interrupted' | 'verification'>,
): number {
  if (report.interrupted !== undefined) return EXIT.interrupted;
  const verified = report.verification === undefined ? EXIT.ok : verifyExitCode(report.verification);
  if (report.stacks.some((stack) => stack.outcome === 'failed') || verified === EXIT.error) return EXIT.error;
  if (report.refusals.length > 0) return EXIT.guardrail;
  if (report.stacks.some((stack) => ['planned', 'drifted', 'not-touched', 'no-state'].includes(stack.outcome)))
    return EXIT.changes;
  return verified;
}

const SEVERITY = [EXIT.ok, EXIT.changes, EXIT.guardrail, EXIT.error, EXIT.interrupted] as const;

/** One report from the JSON reports of several shards of the same command; a stack in two shards is an error. */
export function mergeReports(reports: readonly RunReport[]): RunReport {
  if (reports.length === 0) throw new Error('report --merge needs at least one JSON report.');
  const commands = [...new Set(reports.map((report) => report.command))];
  if (commands.length > 1) throw new Error(`cannot merge reports of different commands: ${commands.join(', ')}.`);
  const seen = new Set<string>();
  for (const stack of reports.flatMap((report) => report.stacks)) {
    if (seen.has(stack.stack))
      throw new Error(`stack ${stack.stack} is in more than one report: were the shards overlapping?`);
    seen.add(stack.stack);
  }
  const stacks = reports
    .flatMap((report) => report.stacks)
    .sort((a, b) => a.wave - b.wave || a.stack.localeCompare(b.stack));
  const stopped = reports.map((report) => report.stopped).filter((reason): reason is string => reason !== undefined);
  const worst = Math.max(...reports.map((report) => SEVERITY.indexOf(report.exitCode as (typeof SEVERITY)[number])));
  return {
    command: commands[0],
    local: reports.some((report) => report.local),
    ...(reports.some((report) => report.readOnly) ? { readOnly: true as const } : {}),
    ...(reports.some((report) => report.reviewed) ? { reviewed: true as const } : {}),
    stacks,
    refusals: reports.flatMap((report) => report.refusals),
    ...(reports.some((report) => report.cost)
      ? { cost: mergeCostViews(reports.flatMap((report) => (report.cost ? [report.cost] : []))) }
      : {}),
    ...(reports.some((report) => report.verification)
      ? { verification: reports.flatMap((report) => report.verification ?? []) }
      : {}),
    ...(stopped.length > 0 ? { stopped: stopped.join(' ') } : {}),
    exitCode: SEVERITY[Math.max(worst, 0)],
  };
}

/** Parses and checks, field by field, a JSON report written by `--json`. */
export function parseReport(text: string, source: string): RunReport {
  return parseRecord<RunReport>(RunReportSchema, text, source, 'a sesform report (write one with --json)');
}
