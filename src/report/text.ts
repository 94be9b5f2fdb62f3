/**
 * The report for people: on a terminal, and as Markdown for a pull-request comment (with a Mermaid
 * diagram of the waves for apply and rollout). Destroys and replacements of configuration sets come first.
 */
import type { DestinationChange, DimensionChange, ResourceDiff, StackChanges, ValueChange } from './change-model';
import type { RunReport, StackDrift, StackReport } from './run-report';
import { wavesOf } from './waves';
import { verificationLines, verificationSummary, verificationTable } from './verify-report';
import { formatCount as count, formatUsd } from '../format';
import { cents } from '../cost/money';
import { SESFORM_VARIABLES } from '../config';
import { UsdChange, planCost } from '../cost/plan-cost';
import { codeBlock, markdown, trustedMarkdown } from './escape';
import { terminalLine } from '../format';

const signed = (value: number) => (value > 0 ? `+${count(value)}` : value < 0 ? `-${count(-value)}` : '±0');

const SYMBOL = { create: '+', update: '~', replace: '-/+', delete: '-', import: '<=' } as const;
const VERB = { create: 'create', update: 'update in place', replace: 'REPLACE', delete: 'DESTROY', import: 'import' };

/** Sets that a run destroys or replaces, with the stack: what a reviewer must see first. */
export function setLosses(report: RunReport): string[] {
  return report.stacks.flatMap((stack) =>
    (stack.changes?.configurationSets ?? [])
      .filter((set) => set.action === 'delete' || set.action === 'replace')
      .map(
        (set) =>
          `${stack.stack}: configuration set "${set.name}" will be ${set.action === 'delete' ? 'DESTROYED' : 'REPLACED (destroyed, then created)'}${stack.protect ? ' (protected environment)' : ''}`,
      ),
  );
}

export function countsText(changes: StackChanges): string {
  const { add, change, replace, destroy, import: imported } = changes.counts;
  return `${imported > 0 ? `${imported} to import, ` : ''}${add} to add, ${change} to change, ${replace} to replace, ${destroy} to destroy`;
}

/** Metrics before -> after; "?" where no estimate was recorded (state applied before sesform recorded them). */
export function metricsText({ before, after }: { before: number | null; after: number }): string {
  if (before === null) return `? -> ${count(after)} (no estimate recorded for what is applied)`;
  return `${count(before)} -> ${count(after)} (${signed(after - before)})`;
}

/** Monthly USD before -> after, as metricsText writes metrics: "USD 195.30 -> 260.40 (+65.10) a month". */
export function usdText({ before, after }: UsdChange): string {
  if (before === null) return `USD ? -> ${formatUsd(after)} a month`;
  const difference = cents(after - before);
  return `USD ${formatUsd(before)} -> ${formatUsd(after)} (${difference < 0 ? '-' : '+'}${formatUsd(Math.abs(difference))}) a month`;
}

/** A metrics line with its money: "651 -> 868 (+217); USD 195.30 -> 260.40 (+65.10) a month". */
function metricsAndUsd(metrics: { before: number | null; after: number }, usd: UsdChange | undefined): string {
  return usd === undefined ? metricsText(metrics) : `${metricsText(metrics)}; ${usdText(usd)}`;
}

const MAX_VALUE_LENGTH = 80;

/** A value as a reviewer reads it: strings quoted, lists bracketed, absent as (none), long ones cut. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  const text = Array.isArray(value)
    ? `[${value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ')}]`
    : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** Plan: `before -> after`; drift: the declared value next to the account's. */
type Style = 'plan' | 'drift';

function pair(before: unknown, after: unknown, style: Style): string {
  return style === 'plan'
    ? `${formatValue(before)} -> ${formatValue(after)}`
    : `declared ${formatValue(before)}, account ${formatValue(after)}`;
}

function valueChangeText(change: ValueChange, style: Style): string {
  if (change.plain) {
    const [before, after] = [String(change.before ?? '(none)'), String(change.after ?? '(none)')];
    return `${change.attribute} ${style === 'plan' ? `${before} -> ${after}` : `declared ${before}, account ${after}`}`;
  }
  return `${change.attribute} ${pair(change.before, change.after, style)}`;
}

function dimensionText(dimension: DimensionChange, style: Style): string {
  const { before, after } = dimension;
  if (dimension.change === 'added')
    return `+${dimension.name} (${after!.source}, default ${formatValue(after!.defaultValue)})`;
  if (dimension.change === 'removed') return `-${dimension.name}`;
  const parts = [`~${dimension.name}`];
  if (before!.source !== after!.source) parts.push(`source ${pair(before!.source, after!.source, style)}`);
  if (before!.defaultValue !== after!.defaultValue)
    parts.push(`default ${pair(before!.defaultValue, after!.defaultValue, style)}`);
  return parts.join(' ');
}

/** The differences of one set or destination, as `; `-separated parts. */
export function diffParts(diff: ResourceDiff, style: Style = 'plan'): string[] {
  const parts = diff.changes.map((change) => valueChangeText(change, style));
  const events = [
    ...diff.eventTypesAdded.map((type) => `+${type}`),
    ...diff.eventTypesRemoved.map((type) => `-${type}`),
  ];
  // In drift, "+" is what the account has that the file does not declare.
  const relative = style === 'drift' ? ' (account vs declared)' : '';
  if (events.length > 0) parts.push(`events ${events.join(' ')}${relative}`);
  if (diff.dimensions.length > 0)
    parts.push(
      `dimensions ${diff.dimensions.map((dimension) => dimensionText(dimension, style)).join(', ')}${relative}`,
    );
  return parts;
}

function destinationDetails(destination: DestinationChange): string[] {
  const parts = diffParts(destination);
  // A destination created disabled publishes nothing: said, with its metrics (0), so no one expects data.
  if (destination.action === 'create' && destination.disabled) parts.unshift('disabled');
  if (destination.metricsBefore !== destination.metricsAfter)
    parts.push(`metrics ${metricsText({ before: destination.metricsBefore, after: destination.metricsAfter })}`);
  else if (destination.disabled && destination.action !== 'delete')
    parts.push(`metrics ${count(destination.metricsAfter)}`);
  return parts;
}

/** The SES-level lines of one stack's changes: what the terminal, Markdown and the rollout prompt show. */
export function changeLines(changes: StackChanges): string[] {
  const line = (symbol: string, what: string, verb: string, parts: string[]) =>
    `${symbol} ${what}: ${[verb, ...parts].join('; ')}`;
  const lines = [
    ...changes.configurationSets.map((set) =>
      line(SYMBOL[set.action], `configuration set ${set.name}`, VERB[set.action], diffParts(set)),
    ),
    ...changes.destinations.map((destination) =>
      line(
        SYMBOL[destination.action],
        `destination ${destination.configurationSet}/${destination.name}`,
        VERB[destination.action],
        destinationDetails(destination),
      ),
    ),
    ...(changes.monitoring ?? []).map((resource) =>
      line(SYMBOL[resource.action], `${resource.kind} ${resource.name}`, VERB[resource.action], [
        ...resource.changes.map((change) => valueChangeText(change, 'plan')),
        ...(resource.notifiesAccounts ?? []).map(
          (account) => `notifies a topic in account ${account}, not this stack's (allowCrossAccount)`,
        ),
      ]),
    ),
  ];
  // The role every later apply of this stack runs with: a reviewer must see a change of it first.
  if (changes.deployRole)
    lines.unshift(
      `~ deploy role: ${formatValue(changes.deployRole.before)} -> ${formatValue(changes.deployRole.after)} (every later apply of this stack runs with it)`,
    );
  if (changes.recordUpdate)
    lines.push(
      `~ metric estimates: ${changes.recordUpdate === 'create' ? 'first recorded' : 'updated'} in the state (what later plans compare with)`,
    );
  return lines;
}

function driftLines(stack: StackReport): string[] {
  const drift = stack.drift;
  if (drift === undefined) return [];
  return [
    ...drift.resources.map(
      (resource) =>
        `! ${resource.kind} ${resource.name} ${resource.change === 'deleted' ? 'was deleted outside Terraform' : `was changed outside Terraform: ${diffParts(resource.diff, 'drift').join('; ')}`}`,
    ),
    ...drift.unmanagedDestinations.map(
      (destination) =>
        `? destination ${destination.configurationSet}/${destination.name} exists in AWS but in no environment file${expiredNote(drift, `${destination.configurationSet}/${destination.name}`)}`,
    ),
    ...drift.unmanagedSets.map(
      (set) =>
        `? configuration set ${set} exists in the account but no environment declares it (left alone)${expiredNote(drift, set)}`,
    ),
    ...(drift.acknowledged ?? []).map(
      (finding) =>
        `  acknowledged: ${finding.kind} ${finding.name}: ${finding.reason}${finding.expires ? ` (until ${finding.expires})` : ''}`,
    ),
  ];
}

/** Why a finding counts again: its acknowledgement expired. */
function expiredNote(drift: StackDrift, name: string): string {
  const found = drift.expired?.find((finding) => finding.name === name);
  return found ? `; its acknowledgement expired on ${found.expires} (${found.reason})` : '';
}

/** Said of a stack whose state holds nothing, beside what an apply would create. */
const NO_STATE_LINE =
  'no state: nothing has been applied to this stack where its state lives, so nothing can have drifted; below is what an apply would create';

/**
 * What the run's reader should know before the stacks: drift of stacks whose state holds nothing is
 * not drift, and the command that gives them a state.
 */
export function runNotes(report: RunReport): string[] {
  const empty = report.stacks.filter((stack) => stack.outcome === 'no-state');
  if (empty.length === 0) return [];
  const environments = [...new Set(empty.map((stack) => stack.environment))];
  const selection = environments.map((name) => `--env ${name}`).join(' ');
  const names = empty.map((stack) => stack.stack).join(', ');
  return report.local
    ? [
        `The emulator holds no state for ${empty.length} stack(s) (${names}): it keeps state only while it runs (a command without ${SESFORM_VARIABLES.localEndpoint} starts an empty one of its own, and \`npm start\` stops its own). This is not drift. Keep one running (npx sesform emulator, then export the ${SESFORM_VARIABLES.localEndpoint} it prints), apply to it, then run drift against it: npx sesform rollout --local ${selection} --auto-approve`,
      ]
    : [
        `No state for ${empty.length} stack(s) (${names}) at their state keys: nothing has been applied there yet, or the state moved (check stateBackend). This is not drift. What an apply would create: npx sesform plan ${selection}`,
      ];
}

export function stackHeadline(stack: StackReport): string {
  const where = `account ${stack.accountId}, ${stack.region}, wave ${stack.wave}`;
  const changes = stack.changes && stack.outcome !== 'in-sync' ? `: ${countsText(stack.changes)}` : '';
  return `${stack.stack} (${where}) ${stack.outcome}${changes}`;
}

/** A stack's lines under its headline; `usd`, when given, is its custom metrics' monthly cost change. */
export function stackDetail(stack: StackReport, usd?: UsdChange): string[] {
  return [
    // An error is Terraform's output too, several lines: each its own line under "error:".
    ...(stack.error
      ? stack.error.split('\n').map((line, index) => (index === 0 ? `error: ${line}` : `  ${line}`))
      : []),
    ...(stack.lock
      ? [
          `state lock ${stack.lock.id} held${stack.lock.who ? ` by ${stack.lock.who}` : ''}; if no terraform is running for this stack, clear it: ${stack.lock.clear}`,
        ]
      : []),
    ...(stack.review === undefined
      ? []
      : stack.review.differences.length === 0
        ? ['reviewed: the same plan as the review approved']
        : stack.review.differences.map((difference) => `NOT REVIEWED: ${difference}`)),
    ...stack.retries.map((retry) => `retried: ${retry}`),
    ...stack.recovered.map((line) => `recovered: ${line}`),
    ...(stack.outcome === 'no-state' ? [NO_STATE_LINE] : []),
    ...driftLines(stack),
    ...(stack.changes ? changeLines(stack.changes) : []),
    ...(stack.changes && stack.changes.metrics.before !== stack.changes.metrics.after
      ? [`custom metrics ${metricsAndUsd(stack.changes.metrics, usd)}`]
      : []),
  ];
}

/** --reviewed: how many plans with changes are the reviewed ones; undefined for runs without a review. */
export function reviewSummary(report: RunReport): string | undefined {
  if (!report.reviewed) return undefined;
  const compared = report.stacks.filter((stack) => stack.review !== undefined);
  const differing = compared.filter((stack) => stack.review!.differences.length > 0).map((stack) => stack.stack);
  if (differing.length === 0)
    return `Review: every plan with changes (${compared.length}) is the plan the review approved.`;
  return `Review: ${differing.length} of ${compared.length} plan(s) with changes differ from the plans the review approved (${differing.join(', ')}): these plans need a review of their own.`;
}

export function outcomeSummary(report: RunReport): string {
  const byOutcome = new Map<string, number>();
  for (const stack of report.stacks) byOutcome.set(stack.outcome, (byOutcome.get(stack.outcome) ?? 0) + 1);
  return [...byOutcome].map(([outcome, number]) => `${number} ${outcome}`).join(', ');
}

/** How the run reached the accounts, when not the usual way. */
function titleNotes(report: RunReport): string {
  return `${report.local ? ' (local emulator)' : ''}${report.readOnly ? ' (read-only: plan roles)' : ''}`;
}

/** `sesform plan (local emulator) shard 1/2`: the command and how it ran. */
export function reportTitle(report: RunReport): string {
  return `sesform ${report.command}${titleNotes(report)}${report.shard ? ` shard ${report.shard}` : ''}`;
}

export function renderText(report: RunReport): string {
  const cost = planCost(report.stacks);
  const lines = [`${reportTitle(report)}: ${report.stacks.length} stack(s): ${outcomeSummary(report)}`];
  for (const loss of setLosses(report)) lines.push(`!! ${loss}`);
  for (const refusal of report.refusals) lines.push(`REFUSED: ${refusal.stack}: ${refusal.message}`);
  for (const note of runNotes(report)) lines.push(`NOTE: ${note}`);
  const review = reviewSummary(report);
  if (review) lines.push(review);
  for (const stack of report.stacks) {
    lines.push('', stackHeadline(stack));
    for (const line of stackDetail(stack, cost.stacks.get(stack.stack))) lines.push(`    ${line}`);
  }
  const { before, after } = cost.metrics;
  if (before !== after) {
    lines.push('');
    if (cost.accounts.length > 1)
      for (const account of cost.accounts.filter((each) => each.metrics.before !== each.metrics.after))
        lines.push(`account ${account.accountId}: custom metrics ${metricsAndUsd(account.metrics, account.usd)}`);
    lines.push(`CloudWatch custom metrics: ${metricsAndUsd({ before, after }, cost.total)}`);
  }
  if (report.verification)
    lines.push('', `verify: ${verificationSummary(report.verification)}`, ...verificationLines(report.verification));
  if (report.stopped) lines.push('', report.stopped);
  lines.push('', `exit ${report.exitCode}`);
  // Every line made safe for a terminal: a value's control characters are shown, never sent.
  return `${lines.map(terminalLine).join('\n')}\n`;
}

const OUTCOME_MARK: Record<string, string> = {
  planned: '📝',
  'no-changes': '➖',
  applied: '✅',
  failed: '❌',
  'not-touched': '⏸️',
  'in-sync': '✅',
  drifted: '⚠️',
  'no-state': '⭕',
};

/** A Mermaid flowchart: one box per wave, one node per stack marked by its outcome, waves in order. */
export function wavesDiagram(report: RunReport): string {
  const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, '_');
  // A node label is quoted text: quotes and markup in a value become Mermaid entities.
  const label = (text: string) => text.replace(/[^A-Za-z0-9 ._:/-]/g, (character) => `#${character.codePointAt(0)};`);
  const waves = wavesOf(report.stacks);
  const lines = ['flowchart LR'];
  for (const { wave, members } of waves) {
    lines.push(`  subgraph wave${wave}["wave ${wave}"]`);
    for (const stack of members)
      lines.push(
        `    ${id(stack.stack)}["${OUTCOME_MARK[stack.outcome]} ${label(stack.stack)}<br/>${label(stack.outcome)}"]:::${id(stack.outcome)}`,
      );
    lines.push('  end');
  }
  for (let index = 1; index < waves.length; index++)
    lines.push(`  wave${waves[index - 1].wave} --> wave${waves[index].wave}`);
  lines.push(
    '  classDef applied fill:#d4f8d4,stroke:#2a7a2a',
    '  classDef in_sync fill:#d4f8d4,stroke:#2a7a2a',
    '  classDef failed fill:#fdd,stroke:#b00',
    '  classDef not_touched fill:#eee,stroke:#888,stroke-dasharray:4',
    '  classDef planned fill:#fff5cc,stroke:#a80',
    '  classDef drifted fill:#fff5cc,stroke:#a80',
    '  classDef no_changes fill:#f5f5f5,stroke:#888',
    '  classDef no_state fill:#fff,stroke:#888,stroke-dasharray:4',
  );
  return codeBlock('mermaid', lines).join('\n');
}

export function renderMarkdown(report: RunReport): string {
  // Every value is escaped as it is written (markdown``, codeBlock): a report read back may be anyone's.
  const lines = [markdown`## sesform ${report.command}${titleNotes(report)}`, ''];
  const losses = setLosses(report);
  if (losses.length > 0) {
    lines.push('> [!CAUTION]', '> **Configuration sets destroyed or replaced**', '>');
    for (const loss of losses) lines.push(markdown`> - ${loss}`);
    lines.push('');
  }
  for (const refusal of report.refusals) lines.push(markdown`**Refused:** ${refusal.stack}: ${refusal.message}`, '');
  for (const note of runNotes(report)) lines.push(markdown`**Note:** ${note}`, '');
  const review = reviewSummary(report);
  if (review) lines.push(markdown`**${review}**`, '');
  if (report.stopped) lines.push(markdown`**${report.stopped}**`, '');
  if (report.command === 'apply' || report.command === 'rollout') lines.push(wavesDiagram(report), '');
  const cost = planCost(report.stacks);
  lines.push(
    '| Stack | Account | Wave | Outcome | Add | Change | Replace | Destroy | Metrics | Monthly USD |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const stack of report.stacks) {
    const counts = stack.changes?.counts;
    const metrics = stack.changes?.metrics;
    const usd = cost.stacks.get(stack.stack);
    lines.push(
      markdown`| ${stack.stack} | ${stack.accountId} | ${stack.wave} | ${trustedMarkdown(OUTCOME_MARK[stack.outcome] ?? '')} ${stack.outcome} | ${counts?.add ?? ''} | ${counts?.change ?? ''} | ${counts?.replace ?? ''} | ${counts?.destroy ?? ''} | ${metrics ? metricsText(metrics) : ''} | ${metrics && usd ? usdText(usd) : ''} |`,
    );
  }
  const { before, after } = cost.metrics;
  if (before !== after) {
    lines.push('', '| Account | Custom metrics | Monthly USD |', '|---|---|---|');
    for (const account of cost.accounts)
      lines.push(markdown`| ${account.accountId} | ${metricsText(account.metrics)} | ${usdText(account.usd)} |`);
    lines.push(markdown`| **all** | ${metricsText({ before, after })} | ${usdText(cost.total)} |`);
  }
  for (const stack of report.stacks) {
    const detail = stackDetail(stack, cost.stacks.get(stack.stack));
    if (detail.length === 0) continue;
    lines.push(
      '',
      markdown`${trustedMarkdown(`<details${stack.outcome === 'failed' || losses.length > 0 ? ' open' : ''}><summary><b>`)}${stack.stack}${trustedMarkdown('</b>: ')}${stack.outcome}${trustedMarkdown('</summary>')}`,
      '',
      ...codeBlock('diff', detail),
      '',
      '</details>',
    );
  }
  if (report.verification)
    lines.push('', '### Metrics verified after each wave', '', ...verificationTable(report.verification));
  lines.push('', markdown`Exit code ${report.exitCode}.`);
  return `${lines.join('\n')}\n`;
}
