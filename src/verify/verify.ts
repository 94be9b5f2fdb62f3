/**
 * `sesform verify`: per stack, sends the verification plan's test messages through each configuration
 * set (through the deploy role), then polls CloudWatch until every expected series has a data point
 * since the run began, or the timeout passes; a series still missing gets its likely cause from what
 * the account holds. In local mode the emulator also simulates the opens and clicks.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, Metric } from '@aws-sdk/client-cloudwatch';
import {
  CreateEmailIdentityCommand,
  EventDestination,
  GetConfigurationSetEventDestinationsCommand,
  SendEmailCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { CloudWatchDimensionSource } from '../../modules/ses-enums';
import { accessOf, accountClientConfig } from '../aws/account-access';
import { mapLimit } from '../concurrency';
import type { FleetStack } from '../fleet/fleet';
import type { LocalTarget } from '../local/local-target';
import {
  ExpectedSeries,
  METRIC_NAMES,
  SES_NAMESPACE,
  TEST_LINK,
  TestMessage,
  VerificationPlan,
  senderAddress,
} from './verification-plan';
import { SeriesResult, StackVerification } from '../report/verify-report';
import { ExpectedRecord, RECORD_EVENT_TYPES, RecordListeners, recordKey } from './event-records';
import { targetResource } from '../../modules/event-targets';

export interface VerifyOptions {
  readonly plans: readonly VerificationPlan[];
  readonly local?: LocalTarget;
  readonly concurrency: number;
  /** How long to wait for the data points, in seconds. */
  readonly timeoutSeconds: number;
  /** Between two looks at CloudWatch, in milliseconds. */
  readonly pollMilliseconds: number;
  readonly progress: (line: string) => void;
}

export async function verifyStacks(options: VerifyOptions): Promise<StackVerification[]> {
  const startedAt = new Date();
  return mapLimit(options.plans, options.concurrency, (plan) => verifyStack(plan, startedAt, options));
}

async function verifyStack(
  plan: VerificationPlan,
  startedAt: Date,
  options: VerifyOptions,
): Promise<StackVerification> {
  const { stack } = plan;
  const began = Date.now();
  const base = {
    stack: stack.name,
    environment: stack.environment.name,
    accountId: stack.accountId,
    region: stack.region,
  };
  let ses: SESv2Client | undefined;
  let cloudWatch: CloudWatchClient | undefined;
  let listeners: RecordListeners | undefined;
  try {
    const config = await accountClientConfig(accessOf(stack, options.local), 'sesform-verify');
    const client = (ses = new SESv2Client(config));
    cloudWatch = new CloudWatchClient(config);
    if (options.local) await ensureLocalIdentity(ses, plan.from);
    // Listening starts before the first message: a record published at once must not be missed.
    listeners = plan.records.length > 0 ? await RecordListeners.open(config, plan.records, stack) : undefined;
    // What each series holds already (an earlier run, production traffic): only more than that counts.
    const baseline = new Map<ExpectedSeries, number>();
    for (const series of plan.expected) baseline.set(series, await seriesSum(cloudWatch, series, startedAt));
    const { sent, failed: failedSends, messageIds } = await sendMessages(ses, plan, options.local);
    options.progress(
      `verify ${stack.name}: sent ${sent} test message(s); waiting for ${plan.expected.length} series${plan.records.length > 0 ? ` and ${plan.records.length} event record(s)` : ''}`,
    );
    const found = await pollSeries(cloudWatch, plan.expected, { since: startedAt, baseline }, options, failedSends);
    const recordsFound = listeners
      ? await pollRecords(listeners, plan.records, messageIds, options, failedSends)
      : new Set<string>();
    const results: SeriesResult[] = [];
    // Each set's destinations as the account holds them, read once for all of its missing series.
    const held = new Map<string, Promise<EventDestination[]>>();
    const heldIn = (set: string) => {
      if (!held.has(set)) held.set(set, destinationsHeld(client, set));
      return held.get(set)!;
    };
    for (const series of plan.expected) {
      const verified = found.has(series);
      results.push({
        ...seriesKey(series),
        dimensions: series.dimensions,
        status: verified ? 'verified' : 'missing',
        ...(verified ? {} : { cause: await causeOf(heldIn, cloudWatch, series, stack, failedSends, startedAt) }),
      });
    }
    for (const expected of plan.records) {
      const verified = recordsFound.has(expectedRecordKey(expected));
      results.push({
        configurationSet: expected.configurationSet,
        destination: expected.destination,
        eventType: expected.eventType,
        metricName: METRIC_NAMES[expected.eventType],
        target: targetResource(expected.target),
        status: verified ? 'verified' : 'missing',
        ...(verified
          ? {}
          : {
              cause:
                failedSends.get(expected.configurationSet) ??
                `no ${METRIC_NAMES[expected.eventType]} record of this run's messages reached ${targetResource(expected.target)} within ${options.timeoutSeconds} s: check that the destination is enabled with this event type in the account, and that the target exists and lets SES publish (its policy, or the role SES assumes).`,
            }),
      });
    }
    for (const item of plan.notVerifiable)
      results.push({
        configurationSet: item.configurationSet,
        destination: item.destination,
        ...(item.eventType ? { eventType: item.eventType, metricName: METRIC_NAMES[item.eventType] } : {}),
        status: 'not-verifiable',
        cause: item.reason,
      });
    const verifiedCount = results.filter((result) => result.status === 'verified').length;
    const missingCount = results.filter((result) => result.status === 'missing').length;
    options.progress(
      `verify ${stack.name}: ${verifiedCount} verified, ${missingCount} missing (${Math.round((Date.now() - began) / 1000)} s)`,
    );
    return { ...base, messagesSent: sent, results };
  } catch (error) {
    return { ...base, messagesSent: 0, results: [], error: (error as Error).message };
  } finally {
    ses?.destroy();
    cloudWatch?.destroy();
    // The temporary queues, subscriptions and rules go whatever happened.
    await listeners?.close();
  }
}

const expectedRecordKey = (expected: ExpectedRecord) =>
  recordKey(targetResource(expected.target), expected.configurationSet, RECORD_EVENT_TYPES[expected.eventType]);

/** Reads the listeners until every expected record arrived or the timeout passes. */
async function pollRecords(
  listeners: RecordListeners,
  expected: readonly ExpectedRecord[],
  messageIds: ReadonlySet<string>,
  options: VerifyOptions,
  failedSends: ReadonlyMap<string, string>,
): Promise<ReadonlySet<string>> {
  const wanted = expected.filter((record) => !failedSends.has(record.configurationSet)).map(expectedRecordKey);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const found = await listeners.poll(messageIds);
    if (wanted.every((key) => found.has(key)) || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, options.pollMilliseconds));
  }
}

const seriesKey = (series: ExpectedSeries) => ({
  configurationSet: series.configurationSet,
  destination: series.destination,
  eventType: series.eventType,
  metricName: series.metricName,
});

/** In the emulator the sender identity is created on the spot; on AWS it must be verified already. */
async function ensureLocalIdentity(ses: SESv2Client, identity: string): Promise<void> {
  try {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }));
  } catch (error) {
    if ((error as Error).name !== 'AlreadyExistsException') throw error;
  }
}

/** The HTML of a test message: one link, with the probe's link tags when there are any. */
function htmlOf(message: TestMessage): string {
  const tags = Object.entries(message.linkTags)
    .map(([name, value]) => `${name}:${value}`)
    .join(';');
  return `<p>sesform verify</p><p><a href="${TEST_LINK}"${tags ? ` ses:tags="${tags}"` : ''}>test link</a></p>`;
}

/**
 * Sends every set's messages: how many SES accepted, and each set whose send failed with the error
 * (its series will be missing; its later messages are not sent).
 */
async function sendMessages(
  ses: SESv2Client,
  plan: VerificationPlan,
  local: LocalTarget | undefined,
): Promise<{ sent: number; failed: Map<string, string>; messageIds: Set<string> }> {
  const failed = new Map<string, string>();
  const messageIds = new Set<string>();
  let sent = 0;
  for (const set of plan.sets)
    for (const message of set.messages) {
      try {
        const headers = Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value }));
        const tags = Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value }));
        const { MessageId } = await ses.send(
          new SendEmailCommand({
            FromEmailAddress: senderAddress(plan.from),
            Destination: { ToAddresses: [message.recipient] },
            ConfigurationSetName: set.configurationSet,
            ...(tags.length > 0 ? { EmailTags: tags } : {}),
            Content:
              message.kind === 'rendering-failure'
                ? {
                    Template: {
                      // A value the data does not give: SES cannot render it and publishes Rendering Failure.
                      TemplateContent: { Subject: 'sesform verify {{sesformMissingValue}}', Html: htmlOf(message) },
                      TemplateData: '{}',
                      ...(headers.length > 0 ? { Headers: headers } : {}),
                    },
                  }
                : {
                    Simple: {
                      Subject: { Data: `sesform verify: ${set.configurationSet}` },
                      Body: { Html: { Data: htmlOf(message) }, Text: { Data: `sesform verify ${TEST_LINK}` } },
                      ...(headers.length > 0 ? { Headers: headers } : {}),
                    },
                  },
          }),
        );
        sent++;
        if (MessageId) messageIds.add(MessageId);
        if (local && MessageId) for (const event of message.engage) await engage(local, MessageId, event);
      } catch (error) {
        failed.set(set.configurationSet, `${(error as Error).name}: ${(error as Error).message}`);
        break;
      }
    }
  return { sent, failed, messageIds };
}

/** The emulator's engagement call: an open or a click of a sent message. */
function engage(local: LocalTarget, messageId: string, event: 'OPEN' | 'CLICK'): Promise<void> {
  const body = JSON.stringify({
    MessageId: messageId,
    Event: event,
    ...(event === 'CLICK' ? { LinkUrl: TEST_LINK } : {}),
  });
  const url = new URL('/_sesform/engagement', local.endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        // The emulator's throwaway certificate, on the loopback address only.
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`engagement ${event}: ${text.trim()}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The metrics of a series' name and dimension names (exactly those names), with the known values. */
async function candidateMetrics(cloudWatch: CloudWatchClient, series: ExpectedSeries): Promise<Metric[]> {
  const metrics: Metric[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new ListMetricsCommand({
        Namespace: SES_NAMESPACE,
        MetricName: series.metricName,
        Dimensions: series.dimensions.map((dimension) =>
          dimension.value === undefined ? { Name: dimension.name } : { Name: dimension.name, Value: dimension.value },
        ),
        NextToken,
      }),
    );
    metrics.push(...(page.Metrics ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const names = series.dimensions.map((dimension) => dimension.name).sort();
  return metrics.filter((metric) => {
    const own = (metric.Dimensions ?? []).map((dimension) => dimension.Name ?? '').sort();
    return own.length === names.length && own.every((name, index) => name === names[index]);
  });
}

/** The sum of a series' data points since `since` (its metrics looked up afresh: they appear with the first point). */
async function seriesSum(cloudWatch: CloudWatchClient, series: ExpectedSeries, since: Date): Promise<number> {
  return sumSince(cloudWatch, await candidateMetrics(cloudWatch, series), since);
}

/**
 * The sum of the metrics' data points from a minute before `since` (CloudWatch counts whole minutes)
 * to now: compared before and after the test messages, so that an earlier run's points never count.
 */
async function sumSince(cloudWatch: CloudWatchClient, metrics: readonly Metric[], since: Date): Promise<number> {
  if (metrics.length === 0) return 0;
  const { MetricDataResults = [] } = await cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(since.getTime() - 60_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: metrics.slice(0, 500).map((metric, index) => ({
        Id: `m${index}`,
        MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' },
      })),
    }),
  );
  return MetricDataResults.reduce(
    (total, result) => total + (result.Values ?? []).reduce((sum, value) => sum + value, 0),
    0,
  );
}

async function pollSeries(
  cloudWatch: CloudWatchClient,
  expected: readonly ExpectedSeries[],
  { since, baseline }: { since: Date; baseline: ReadonlyMap<ExpectedSeries, number> },
  options: VerifyOptions,
  failedSends: ReadonlyMap<string, string>,
): Promise<Set<ExpectedSeries>> {
  const found = new Set<ExpectedSeries>();
  // A set whose send failed publishes nothing: no point in waiting for it.
  let pending = expected.filter((series) => !failedSends.has(series.configurationSet));
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  while (pending.length > 0) {
    for (const series of pending)
      if ((await seriesSum(cloudWatch, series, since)) > baseline.get(series)!) found.add(series);
    pending = pending.filter((series) => !found.has(series));
    if (pending.length === 0 || Date.now() + options.pollMilliseconds > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMilliseconds));
  }
  return found;
}

/** A configuration set's event destinations as the account holds them. */
async function destinationsHeld(ses: SESv2Client, configurationSet: string): Promise<EventDestination[]> {
  const { EventDestinations = [] } = await ses.send(
    new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: configurationSet }),
  );
  return EventDestinations;
}

/** The likely reason a series has no data point: from the account's destination and CloudWatch. */
async function causeOf(
  heldIn: (set: string) => Promise<EventDestination[]>,
  cloudWatch: CloudWatchClient,
  series: ExpectedSeries,
  stack: FleetStack,
  failedSends: ReadonlyMap<string, string>,
  since: Date,
): Promise<string> {
  const sendError = failedSends.get(series.configurationSet);
  if (sendError) return `the test send through ${series.configurationSet} failed: ${sendError}`;
  let destinations;
  try {
    destinations = await heldIn(series.configurationSet);
  } catch (error) {
    return `the account's configuration set could not be read: ${(error as Error).message}`;
  }
  const held = destinations.find((destination) => destination.Name === series.destination);
  if (held === undefined) return 'the account has no such destination in this set: apply first, or check drift.';
  if (!held.Enabled) return 'the destination is disabled in the account (declared enabled): check drift.';
  if (!(held.MatchingEventTypes ?? []).includes(series.eventType))
    return `the destination does not subscribe to ${series.eventType} in the account (declared): check drift.`;
  const heldNames = (held.CloudWatchDestination?.DimensionConfigurations ?? []).map((d) => d.DimensionName).sort();
  const declaredNames = series.dimensions.map((dimension) => dimension.name).sort();
  if (heldNames.join(',') !== declaredNames.join(','))
    return `the account's dimension names are ${heldNames.join(', ') || 'none'}, the file declares ${declaredNames.join(', ')}: check drift.`;
  const expectedValue = new Map(series.dimensions.map((dimension) => [dimension.name, dimension.value]));
  const elsewhere = (
    await candidateMetrics(cloudWatch, {
      ...series,
      dimensions: series.dimensions.map((dimension) => ({ name: dimension.name })),
    })
  ).filter((metric) =>
    (metric.Dimensions ?? []).some(
      (dimension) =>
        expectedValue.get(dimension.Name!) !== undefined && expectedValue.get(dimension.Name!) !== dimension.Value,
    ),
  );
  if ((await sumSince(cloudWatch, elsewhere, since)) > 0) {
    const values = elsewhere
      .map((metric) => (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', '))
      .slice(0, 3)
      .join('; ');
    return `data points landed on other dimension values (${values}): a header or tag value SES saw differs from the expected one.`;
  }
  const headerDimension = stack.configurationSets
    .find((set) => set.name === series.configurationSet)
    ?.destinations.find((destination) => destination.name === series.destination)
    ?.dimensions.some((dimension) => dimension.source === CloudWatchDimensionSource.EMAIL_HEADER);
  return headerDimension
    ? 'no data point before the timeout: SES emits nothing for a destination when a header dimension gets a non-ASCII name or value; otherwise wait longer (--timeout).'
    : 'no data point before the timeout: SES may still be publishing (wait longer with --timeout), or the sender identity cannot send in this region.';
}
