/**
 * The report model as zod schemas, for what sesform reads back: JSON run reports (report, --merge)
 * and the changes a saved plan record carries. Anything read back is checked field by field before
 * use, since a pull request, a CI artifact or another user of the machine may have written it; a
 * malformed file is refused with its path and the first field that is wrong.
 */
import { z } from 'zod';
import { parseRecord } from '../records';

export { parseRecord };
import { ENGINE_COMMANDS } from './command-names';

const text = z.string();
const count = z.number().int().nonnegative();
const action = z.enum(['create', 'update', 'replace', 'delete', 'import']);

const ValueChangeSchema = z.object({
  attribute: text,
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  plain: z.boolean().optional(),
});
const DimensionValuesSchema = z.object({ source: text, defaultValue: text });
const ResourceDiffSchema = z.object({
  changes: z.array(ValueChangeSchema),
  eventTypesAdded: z.array(text),
  eventTypesRemoved: z.array(text),
  dimensions: z.array(
    z.object({
      name: text,
      change: z.enum(['added', 'removed', 'changed']),
      before: DimensionValuesSchema.optional(),
      after: DimensionValuesSchema.optional(),
    }),
  ),
});

export const StackChangesSchema = z.object({
  counts: z.object({ add: count, change: count, replace: count, destroy: count, import: count }),
  configurationSets: z.array(ResourceDiffSchema.extend({ address: text, name: text, action })),
  destinations: z.array(
    ResourceDiffSchema.extend({
      address: text,
      configurationSet: text,
      name: text,
      action,
      metricsBefore: count.nullable(),
      disabled: z.literal(true).optional(),
      metricsAfter: count,
    }),
  ),
  monitoring: z
    .array(
      z.object({
        address: text,
        kind: z.enum([
          'alarm',
          'alarm topic',
          'subscription',
          'dashboard',
          'event topic',
          'firehose role',
          'firehose role policy',
        ]),
        name: text,
        action,
        changes: z.array(ValueChangeSchema),
        notifiesAccounts: z.array(z.string().regex(/^\d{12}$/)).optional(),
      }),
    )
    .optional(),
  metrics: z.object({ before: count.nullable(), after: count }),
  recordUpdate: z.enum(['create', 'update']).optional(),
  deployRole: z.object({ before: text, after: text }).optional(),
});

const AcknowledgedSchema = z.object({
  kind: z.enum(['configuration set', 'destination']),
  name: text,
  reason: text,
  expires: text.optional(),
});

const DriftSchema = z.object({
  resources: z.array(
    z.object({
      address: text,
      kind: text,
      name: text,
      change: z.enum(['changed', 'deleted']),
      diff: ResourceDiffSchema,
    }),
  ),
  unmanagedDestinations: z.array(z.object({ configurationSet: text, name: text })),
  unmanagedSets: z.array(text),
  acknowledged: z.array(AcknowledgedSchema).optional(),
  expired: z.array(AcknowledgedSchema.extend({ expired: z.literal(true) })).optional(),
});

/** What every per-stack record of a report names: the stack, its environment, account and region. */
const STACK_IDENTITY = { stack: text, environment: text, accountId: text, region: text };

const StackVerificationSchema = z.object({
  ...STACK_IDENTITY,
  messagesSent: count,
  results: z.array(
    z.object({
      configurationSet: text,
      destination: text,
      eventType: text.optional(),
      metricName: text.optional(),
      dimensions: z.array(z.object({ name: text, value: text.optional() })).optional(),
      target: text.optional(),
      status: z.enum(['verified', 'missing', 'not-verifiable']),
      cause: text.optional(),
    }),
  ),
  error: text.optional(),
});

const money = z.number().nonnegative();
const CostViewSchema = z.object({
  pricesAsOf: text,
  stacks: z.array(
    z.object({
      ...STACK_IDENTITY,
      destinations: z.array(
        z.object({
          stack: text,
          configurationSet: text,
          destination: text,
          enabled: z.boolean(),
          eventTypes: z.array(text),
          dimensions: z.array(z.object({ name: text, values: count, basis: text, carriedBy: z.array(text) })),
          byEventType: z.array(
            z.object({
              eventType: text,
              factors: z.array(z.object({ name: text, values: count })),
              metrics: count,
            }),
          ),
          metrics: count,
        }),
      ),
      metrics: count,
      monitoring: z.object({
        alarms: count,
        standardAlarmMetrics: count,
        highResolutionAlarmMetrics: count,
        dashboards: count,
      }),
      metricsUsd: money,
      monitoringUsd: money,
      monthlyUsd: money,
    }),
  ),
  budgets: z.array(
    z.object({ environment: text, accountId: text, maxMetrics: count.optional(), maxMonthlyUsd: money.optional() }),
  ),
});

export const RunReportSchema = z.object({
  command: z.enum(ENGINE_COMMANDS),
  local: z.boolean(),
  shard: text.optional(),
  readOnly: z.literal(true).optional(),
  reviewed: z.literal(true).optional(),
  stacks: z.array(
    z.object({
      ...STACK_IDENTITY,
      wave: count,
      protect: z.boolean(),
      outcome: z.enum(['planned', 'no-changes', 'applied', 'failed', 'not-touched', 'in-sync', 'drifted', 'no-state']),
      changes: StackChangesSchema.optional(),
      drift: DriftSchema.optional(),
      error: text.optional(),
      lock: z
        .object({ id: text, who: text.optional(), operation: text.optional(), created: text.optional(), clear: text })
        .optional(),
      retries: z.array(text),
      recovered: z.array(text),
      review: z.object({ differences: z.array(text) }).optional(),
      seconds: z.number().nonnegative().optional(),
    }),
  ),
  refusals: z.array(
    z.object({
      stack: text,
      configurationSet: text.optional(),
      reason: z.enum(['destroy-protection', 'not-reviewed']),
      message: text,
    }),
  ),
  stopped: text.optional(),
  interrupted: text.optional(),
  verification: z.array(StackVerificationSchema).optional(),
  cost: CostViewSchema.optional(),
  exitCode: z.number().int().min(0).max(255),
});
