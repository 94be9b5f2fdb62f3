/**
 * The environment file schema: structure and types (zod), with the SES rules of `modules/ses-rules`
 * attached at each level so that one parse reports every problem.
 */
import { z } from 'zod';
import { didYouMean } from '../../modules/did-you-mean';
import { ALL_AWS_REGIONS, AWS_REGIONS_AS_OF } from './aws-regions';
import { dimensionSetViolations, expandDimensionSets } from '../../modules/dimension-sets';
import {
  ConfigurationSetTlsPolicy,
  DIMENSION_SOURCE_NAMES,
  EVENT_TYPE_NAMES,
  SuppressionReason,
  TrackingHttpsPolicy,
} from '../../modules/ses-enums';
import {
  RuleViolation,
  quote,
  checkConfigurationSetName,
  checkDomainName,
  checkEventDestinationName,
  checkMaxDeliveryDuration,
  checkOneOf,
  checkSendingPoolName,
  configurationSetListViolations,
  dimensionListViolations,
  dimensionViolations,
  eventDestinationListViolations,
  eventTypeViolations,
  prefixed,
  suppressedReasonViolations,
  tagViolations,
} from '../../modules/ses-rules';
import { DESTINATION_KINDS, declaredTarget, destinationTargetViolations } from './destination-targets';
import { duplicateTargetViolations } from '../../modules/event-targets';
import {
  EnvironmentMonitoringSchema,
  SetMonitoringSchema,
  environmentMonitoringViolations,
  setMonitoringViolations,
} from './monitoring-schema';

/** Adds the violations a rule function finds as zod issues. */
function rules<T>(check: (value: T) => RuleViolation[]) {
  return (value: T, context: z.RefinementCtx) => {
    for (const found of check(value))
      context.addIssue({ code: 'custom', path: [...found.path], message: found.message });
  };
}

/** A text field checked by one SES rule; checked on its own, so other fields' problems never hide it. */
function ruledText(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, context) => {
    const message = check(value);
    if (message !== undefined) context.addIssue({ code: 'custom', message });
  });
}

/** A list of named items, checked for the list rules (unique names, quotas). */
function namedList<T extends z.ZodType<{ name: string }>>(item: T, check: (names: string[]) => RuleViolation[]) {
  return z.array(item).superRefine(rules((items: { name: string }[]) => check(items.map((entry) => entry.name))));
}

/** A zod enum whose wrong values get the same message as the SES rules give. */
function choice<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) => (typeof issue.input === 'string' ? checkOneOf(issue.input, values, what) : undefined),
  });
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A bucket name, possibly with placeholders, before they are replaced (then BUCKET applies). */
const BUCKET_TEMPLATE = /^(?:[a-z0-9.-]|\{accountId\}|\{region\})+$/;
// No wildcard (`*`, `?`: the deploy role's policy names the keys), no `..`, no empty path segment.
const KEY_PREFIX = /^(?!\/)(?!.*\/\/)(?!.*\/$)(?!.*\.\.)[\w!.'()/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[\w.-]{1,100}$/;
// Letters, digits, "_", "." and "-" only: ":" or "*" would change the meaning of the OIDC subject condition.
const GITHUB_ENVIRONMENT = /^[\w.-]{1,255}$/;
const DOMAIN_NAME = '(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}';
const SENDER_IDENTITY = new RegExp(`^(?:[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@)?${DOMAIN_NAME}$`);
const DRIFT_MATCH = /^[A-Za-z0-9_*-]{1,64}(?:\/[A-Za-z0-9_*-]{1,64})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const GITHUB_BRANCH = /^(?!.*\.\.)(?!\/)[\w./-]{1,255}$/;
const VERSION_CONSTRAINT =
  /^\s*(?:(?:=|!=|>=|<=|>|<|~>)?\s*\d+(?:\.\d+){0,2}(?:-[\w.]+)?\s*)(?:,\s*(?:=|!=|>=|<=|>|<|~>)?\s*\d+(?:\.\d+){0,2}(?:-[\w.]+)?\s*)*$/;

const Region = z.string().superRefine((region, context) => {
  if (ALL_AWS_REGIONS.includes(region)) return;
  context.addIssue({
    code: 'custom',
    message: `${quote(region)} is not an AWS region (regions as of ${AWS_REGIONS_AS_OF}).${didYouMean(region, ALL_AWS_REGIONS)}`,
  });
});

const Tags = z.record(z.string(), z.string()).superRefine(rules(tagViolations));

// Dimension rules depend on the source (header rules, auto-tags), so they are checked per dimension.
const DimensionSchema = z
  .strictObject({
    name: z.string(),
    source: choice(DIMENSION_SOURCE_NAMES, 'dimension value source'),
    defaultValue: z.string(),
    expectedValues: z.number().optional(),
  })
  .superRefine(rules(dimensionViolations));

/** Lists of dimension names: dimension sets to publish separately, or combinations the team will query by. */
const DimensionCombinations = z.array(z.array(z.string()));

const CloudWatchTargetSchema = z
  .strictObject({
    dimensions: namedList(DimensionSchema, (names) => dimensionListViolations(names)),
    dimensionSets: DimensionCombinations.optional(),
    queries: DimensionCombinations.optional(),
  })
  .superRefine(
    rules(({ dimensions, dimensionSets, queries }) => {
      const names = dimensions.map((dimension) => dimension.name);
      const unknownInQueries = (queries ?? []).flatMap((query, index) =>
        query.flatMap((name, position) =>
          names.includes(name)
            ? []
            : [
                {
                  path: ['queries', index, position],
                  message: `"${name}" is not a dimension of this destination, so no metric can be queried by it.${didYouMean(name, names)}`,
                },
              ],
        ),
      );
      const setProblems =
        dimensionSets === undefined ? [] : prefixed(['dimensionSets'], dimensionSetViolations(names, dimensionSets));
      return [...setProblems, ...unknownInQueries];
    }),
  );

// ARNs may hold "{accountId}" and "{region}": one file serves every region's stack. Their rules
// (shape, region, account) are checked per stack on the environment (destinationTargetViolations).
const SnsTargetSchema = z
  .strictObject({
    // An existing topic; its policy must let ses.amazonaws.com publish.
    topicArn: z.string().optional(),
    // A topic sesform creates in each region, with a policy that lets SES publish for this set only.
    topicName: z.string().optional(),
  })
  .superRefine(
    rules((sns: { topicArn?: string; topicName?: string }) =>
      (sns.topicArn === undefined) === (sns.topicName === undefined)
        ? [
            {
              path: [],
              message:
                'give either topicArn (an existing topic) or topicName (a topic sesform creates with a policy that lets SES publish), not both or neither.',
            },
          ]
        : [],
    ),
  );

const EventBridgeTargetSchema = z.strictObject({
  // SES publishes only to the default bus; written out, it must be that bus.
  eventBusArn: z.string().optional(),
});

const FirehoseTargetSchema = z
  .strictObject({
    deliveryStreamArn: z.string(),
    // The role SES assumes to write to the stream, or createRole: true for one sesform creates.
    roleArn: z.string().optional(),
    createRole: z.boolean().optional(),
  })
  .superRefine(
    rules((firehose: { roleArn?: string; createRole?: boolean }) =>
      (firehose.roleArn === undefined) === (firehose.createRole !== true)
        ? [
            {
              path: [],
              message:
                'give either roleArn (a role SES may assume to write to the stream) or createRole: true (sesform creates a role that may only put records on this stream), not both or neither.',
            },
          ]
        : [],
    ),
  );

const PinpointTargetSchema = z.strictObject({ applicationArn: z.string() });

const EventDestinationSchema = z
  .strictObject({
    name: ruledText(checkEventDestinationName),
    enabled: z.boolean().optional(),
    eventTypes: z
      .array(
        z.enum(EVENT_TYPE_NAMES, {
          error: (issue) =>
            typeof issue.input === 'string' ? eventTypeViolations([issue.input])[0].message : undefined,
        }),
      )
      .superRefine(rules(eventTypeViolations)),
    // Exactly one of these: where SES publishes the events.
    cloudWatch: CloudWatchTargetSchema.optional(),
    sns: SnsTargetSchema.optional(),
    eventBridge: EventBridgeTargetSchema.optional(),
    firehose: FirehoseTargetSchema.optional(),
    pinpoint: PinpointTargetSchema.optional(),
    // The target's ARN may be in another account (its policy must let this account's SES use it).
    allowCrossAccount: z.boolean().optional(),
  })
  .superRefine(
    rules((destination: Record<string, unknown>) => {
      const kinds = DESTINATION_KINDS.filter((kind) => destination[kind] !== undefined);
      if (kinds.length === 1) return [];
      return [
        {
          path: [],
          message:
            kinds.length === 0
              ? `say where SES publishes the events: one of ${DESTINATION_KINDS.join(', ')}.`
              : `a destination publishes to one place, but ${kinds.join(' and ')} are given: declare one destination per target.`,
        },
      ];
    }),
  );

/** The destinations a declared destination becomes: one, or one per dimension set. */
export function expandedDestinationNames(destination: {
  name: string;
  cloudWatch?: { dimensions: { name: string }[]; dimensionSets?: string[][] };
}): string[] {
  if (destination.cloudWatch?.dimensionSets === undefined) return [destination.name];
  const { dimensions, dimensionSets } = destination.cloudWatch;
  // A repeated set is reported on its own; it must not count twice against the 10.
  return [
    ...new Set(expandDimensionSets(destination.name, dimensions, dimensionSets).map((expanded) => expanded.name)),
  ];
}

const ConfigurationSetSchema = z
  .strictObject({
    name: ruledText(checkConfigurationSetName),
    sendingEnabled: z.boolean().optional(),
    reputationMetrics: z.boolean().optional(),
    deliveryOptions: z
      .strictObject({
        tlsPolicy: choice(
          ['REQUIRE', 'OPTIONAL'] as const satisfies readonly `${ConfigurationSetTlsPolicy}`[],
          'TLS policy',
        ).optional(),
        sendingPool: ruledText(checkSendingPoolName).optional(),
        maxDeliveryDuration: z
          .union([z.number(), z.string()], {
            error: () => 'must be whole seconds (3600) or a text such as "90m", "6h" or "1h30m".',
          })
          .superRefine((value, context) => {
            const message = checkMaxDeliveryDuration(value);
            if (message !== undefined) context.addIssue({ code: 'custom', message });
          })
          .optional(),
      })
      .optional(),
    trackingOptions: z
      .strictObject({
        customRedirectDomain: ruledText(checkDomainName),
        httpsPolicy: choice(
          ['REQUIRE', 'REQUIRE_OPEN_ONLY', 'OPTIONAL'] as const satisfies readonly `${TrackingHttpsPolicy}`[],
          'tracking HTTPS policy',
        ).optional(),
      })
      .optional(),
    // Virtual Deliverability Manager settings of this set (else the account's apply).
    vdmOptions: z
      .strictObject({
        engagementMetrics: z.boolean().optional(),
        optimizedSharedDelivery: z.boolean().optional(),
      })
      .optional(),
    suppressedReasons: z
      .array(choice(['BOUNCE', 'COMPLAINT'] as const satisfies readonly `${SuppressionReason}`[], 'suppression reason'))
      .superRefine(rules(suppressedReasonViolations))
      .optional(),
    tags: Tags.optional(),
    protect: z.boolean().optional(),
    eventDestinations: z
      .array(EventDestinationSchema)
      .superRefine(
        rules((destinations: z.output<typeof EventDestinationSchema>[]) => {
          // Dimension sets expand before SES counts: every expanded destination is one of the 10.
          const expanded = destinations.flatMap((destination, index) =>
            expandedDestinationNames(destination).map((name) => ({ name, index })),
          );
          return [
            ...eventDestinationListViolations(expanded.map((entry) => entry.name)).map((found) =>
              found.path.length === 0 ? found : { ...found, path: [expanded[found.path[0] as number].index, 'name'] },
            ),
            // The same resource named twice: compared as written (placeholders alike are alike everywhere).
            ...duplicateTargetViolations(destinations.map(declaredTarget)),
          ];
        }),
      )
      .default([]),
    // Alarms and thresholds of this set; needs the environment's monitoring block.
    monitoring: SetMonitoringSchema.optional(),
  })
  .superRefine(rules(setMonitoringViolations));

/** The fields of a role that a stack assumes (the deploy role, the plan role). */
const AssumedRoleFields = {
  arn: z.string().regex(ROLE_ARN, {
    error: (issue) =>
      `${quote(issue.input)} is not an IAM role ARN such as "arn:aws:iam::123456789012:role/ses-deploy".`,
  }),
  externalId: z
    .string()
    .regex(EXTERNAL_ID, { error: () => 'an external ID is 2 to 1224 letters, digits or + = , . @ : / - _.' })
    .optional(),
  sessionName: z
    .string()
    .regex(SESSION_NAME, { error: () => 'a session name is 2 to 64 letters, digits or + = , . @ - _.' })
    .optional(),
};

const TrustedPrincipal = z.string().regex(PRINCIPAL_ARN, {
  error: (issue) =>
    `${quote(issue.input)} is not an IAM role or user ARN such as "arn:aws:iam::123456789012:role/pipeline": the bootstrap lets only this principal assume the role.`,
});

export const EnvironmentSchema = z
  .strictObject({
    name: z.string().regex(ENVIRONMENT_NAME, {
      error: (issue) =>
        `${quote(issue.input)} is not a valid environment name: use 1 to 32 lower-case letters, digits and "-", starting with a letter (it names stacks and state keys).`,
    }),
    accountId: z.string({ error: accountIdMessage }).regex(ACCOUNT_ID, { error: accountIdMessage }),
    deployRole: z.strictObject({
      ...AssumedRoleFields,
      trustedPrincipal: TrustedPrincipal.optional(),
    }),
    // The read-only role of plans on pull requests and of drift (`--read-only`): no write anywhere.
    planRole: z
      .strictObject({
        ...AssumedRoleFields,
        trustedPrincipal: TrustedPrincipal.optional(),
      })
      .optional(),
    // `sesform verify` on AWS sends its test messages from this verified identity.
    verify: z
      .strictObject({
        from: z.string().regex(SENDER_IDENTITY, {
          error: (issue) =>
            `${quote(issue.input)} is not an email address or a domain such as "ses-verify@example.com" or "example.com": it must be an SES identity verified in each region of the environment.`,
        }),
      })
      .optional(),
    // Who may reach the roles through GitHub Actions' OIDC: `iam-policy` prints the pipeline roles' trust.
    pipeline: z
      .strictObject({
        githubRepository: z.string().regex(GITHUB_REPOSITORY, {
          error: (issue) => `${quote(issue.input)} is not a GitHub repository such as "acme/ses-event-publishing".`,
        }),
        githubEnvironment: z.string().regex(GITHUB_ENVIRONMENT, {
          error: (issue) =>
            `${quote(issue.input)} is not a usable GitHub environment name: 1 to 255 letters, digits, "_", "." and "-" (it is part of the OIDC subject "repo:OWNER/REPO:environment:NAME").`,
        }),
        // Scheduled drift runs on the default branch: the plan pipeline role trusts its jobs too.
        githubDefaultBranch: z
          .string()
          .regex(GITHUB_BRANCH, {
            error: (issue) =>
              `${quote(issue.input)} is not a usable branch name: letters, digits, "_", ".", "/" and "-", without "..".`,
          })
          .default('main'),
      })
      .optional(),
    regions: z
      .array(Region)
      .min(1, { error: 'at least one region is required: each region is a stack of its own.' })
      .superRefine(
        rules((regions: string[]) =>
          regions.flatMap((region, index) =>
            regions.indexOf(region) < index
              ? [{ path: [index], message: `region ${quote(region)} is listed twice.` }]
              : [],
          ),
        ),
      ),
    stateBackend: z.strictObject({
      // "{accountId}" and "{region}" (the bucket's region) are replaced per environment: S3 names are global.
      bucket: z.string().regex(BUCKET_TEMPLATE, {
        error: (issue) =>
          `${quote(issue.input)} is not an S3 bucket name: 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit; "{accountId}" and "{region}" stand for the environment's account and the bucket's region (such as "acme-ses-state-{accountId}-{region}").`,
      }),
      // One bucket for several accounts, on purpose: bootstrap leaves the bucket to its owner.
      shared: z.boolean().optional(),
      keyPrefix: z.string().regex(KEY_PREFIX, {
        error: (issue) =>
          `${quote(issue.input)} is not a usable state key prefix: letters, digits and ! - _ . ' ( ) /, with no "..", no leading, trailing or doubled "/".`,
      }),
      region: Region,
    }),
    awsProviderVersion: z
      .string()
      .regex(VERSION_CONSTRAINT, {
        error: (issue) =>
          `${quote(issue.input)} is not a Terraform version constraint such as "6.25.0", "~> 6.0" or ">= 5.100, < 7".`,
      })
      .optional(),
    defaultTags: Tags.default({}),
    wave: z
      .number({ error: () => 'the rollout wave must be a whole number (0 rolls out first).' })
      .int({ error: 'the rollout wave must be a whole number (0 rolls out first).' })
      .min(0, { error: 'the rollout wave must not be negative.' })
      .default(0),
    protect: z.boolean().default(false),
    // Drift findings the team acknowledges: listed apart, not failing the drift run (see README "Drift").
    drift: z
      .strictObject({
        ignore: z.array(
          z.strictObject({
            match: z.string().regex(DRIFT_MATCH, {
              error: (issue) =>
                `${quote(issue.input)} is not a set name or "set/destination", with "*" for any characters (such as "console-*" or "transactional/legacy-*").`,
            }),
            reason: z
              .string()
              .trim()
              .min(1, {
                error: 'say why the finding is acknowledged: the reason is shown beside it in every drift report.',
              })
              .max(500),
            expires: z
              .string()
              .refine(
                (text) =>
                  DATE.test(text) &&
                  !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
                  new Date(`${text}T00:00:00Z`).toISOString().startsWith(text),
                {
                  error: (issue) =>
                    `${quote(issue.input)} is not a date such as "2027-03-31" (the last day the acknowledgement applies).`,
                },
              )
              .optional(),
          }),
        ),
      })
      .optional(),
    budgets: z
      .strictObject({
        maxMetrics: z.number().int().positive().optional(),
        maxMonthlyUsd: z.number().positive().optional(),
      })
      .optional(),
    configurationSets: namedList(ConfigurationSetSchema, (names) =>
      configurationSetListViolations(names, 'this environment'),
    ).default([]),
    // Reputation alarms, the alarm topic and the dashboard (see README "Monitoring").
    monitoring: EnvironmentMonitoringSchema.optional(),
  })
  .superRefine(rules(environmentMonitoringViolations))
  .superRefine(rules(destinationTargetViolations), {
    when: ({ value }) => {
      const candidate = value as { accountId?: unknown; regions?: unknown; configurationSets?: unknown };
      return (
        typeof candidate?.accountId === 'string' &&
        Array.isArray(candidate.regions) &&
        Array.isArray(candidate.configurationSets)
      );
    },
  })
  // Runs even when other fields have problems: only the fields it compares must be readable.
  .superRefine(
    rules((environment: { accountId: string; deployRole: { arn: string } }) => {
      const roleAccount = ROLE_ARN.exec(environment.deployRole.arn)?.[1];
      if (roleAccount === undefined || roleAccount === environment.accountId) return [];
      return [
        {
          path: ['deployRole', 'arn'],
          message: `the deploy role is in account ${roleAccount}, but the environment's accountId is ${environment.accountId}: the stack would assume a role in another account.`,
        },
      ];
    }),
    {
      when: ({ value }) => {
        const candidate = value as { accountId?: unknown; deployRole?: { arn?: unknown } } | undefined;
        return typeof candidate?.accountId === 'string' && typeof candidate.deployRole?.arn === 'string';
      },
    },
  )
  .superRefine(rules(planRoleViolations), {
    when: ({ value }) => {
      const candidate = value as { accountId?: unknown; deployRole?: { arn?: unknown }; planRole?: { arn?: unknown } };
      return (
        typeof candidate?.accountId === 'string' &&
        typeof candidate.deployRole?.arn === 'string' &&
        typeof candidate.planRole?.arn === 'string'
      );
    },
  })
  // Placeholders replaced: every reader sees the bucket name S3 will hold.
  .superRefine(
    rules((environment: { accountId: string; stateBackend: { bucket: string; region: string } }) => {
      const bucket = resolveBucketName(
        environment.stateBackend.bucket,
        environment.accountId,
        environment.stateBackend.region,
      );
      if (bucket === environment.stateBackend.bucket || BUCKET.test(bucket)) return [];
      return [
        {
          path: ['stateBackend', 'bucket'],
          message: `${quote(environment.stateBackend.bucket)} becomes ${quote(bucket)} for this environment, which is not an S3 bucket name (3 to 63 characters, lower-case letters, digits, "." and "-"): shorten the fixed part.`,
        },
      ];
    }),
  )
  .transform((environment) => ({
    ...environment,
    stateBackend: {
      ...environment.stateBackend,
      bucket: resolveBucketName(
        environment.stateBackend.bucket,
        environment.accountId,
        environment.stateBackend.region,
      ),
    },
  }));

/** A bucket name with "{accountId}" and "{region}" replaced. */
export function resolveBucketName(template: string, accountId: string, region: string): string {
  return template.replaceAll('{accountId}', accountId).replaceAll('{region}', region);
}

interface RoleFieldsForRules {
  readonly arn: string;
  readonly trustedPrincipal?: string;
}

/** A plan role is a second, read-only role in the same account, which the rollout's principal does not share. */
function planRoleViolations(environment: {
  accountId: string;
  deployRole: RoleFieldsForRules;
  planRole?: RoleFieldsForRules;
}): { path: (string | number)[]; message: string }[] {
  const { planRole, deployRole, accountId } = environment;
  if (planRole === undefined) return [];
  const roleAccount = ROLE_ARN.exec(planRole.arn)?.[1];
  if (roleAccount !== undefined && roleAccount !== accountId)
    return [
      {
        path: ['planRole', 'arn'],
        message: `the plan role is in account ${roleAccount}, but the environment's accountId is ${accountId}: plans would read another account.`,
      },
    ];
  if (planRole.arn === deployRole.arn)
    return [
      {
        path: ['planRole', 'arn'],
        message: `the plan role is the deploy role: a plan role must be a separate, read-only role (for example ${planRole.arn.replace(/[^/]+$/, (name) => `${name}-plan`)}).`,
      },
    ];
  if (planRole.trustedPrincipal !== undefined && planRole.trustedPrincipal === deployRole.trustedPrincipal)
    return [
      {
        path: ['planRole', 'trustedPrincipal'],
        message: `the plan role and the deploy role trust the same principal, so the pull-request job could assume the deploy role: give the rollout its own pipeline role (one per GitHub environment).`,
      },
    ];
  return [];
}

function accountIdMessage(issue: { input?: unknown }): string | undefined {
  if (issue.input === undefined) return undefined;
  if (typeof issue.input === 'number')
    return `the account id must be a text of 12 digits: quote it (accountId: "${String(issue.input).padStart(12, '0')}") so that leading zeros survive.`;
  return `${quote(issue.input)} is not an AWS account id: use the 12 digits, as a text.`;
}

/** An environment as written in a file (defaults not yet applied). */
export type EnvironmentDefinition = z.input<typeof EnvironmentSchema>;
/** An environment after validation, with defaults applied. */
export type Environment = z.output<typeof EnvironmentSchema>;
export type ConfigurationSetDefinition = Environment['configurationSets'][number];

/**
 * Declares an environment in a TypeScript file (`export default defineEnvironment({...})`): typed
 * fields with completion; the same schema checks it at load.
 */
export function defineEnvironment(definition: EnvironmentDefinition): EnvironmentDefinition {
  return definition;
}
