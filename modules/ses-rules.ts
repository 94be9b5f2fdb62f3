/**
 * Every rule of SES itself that this project enforces (names, values, event types, sources, quotas),
 * in one place (see README "SES rules"). Rules that are not SES's live beside what they govern: AWS
 * identifiers and the environment file's own fields in src/environment/schema.ts, dimension sets in
 * dimension-sets.ts, rules across environments in src/environment/fleet-rules.ts.
 * Each check returns violations with a path relative to the object it checked, so the same
 * function serves the constructs (construct path) and the environment files (field path).
 */
import { didYouMean } from './did-you-mean';
import {
  CloudWatchDimensionSource,
  ConfigurationSetTlsPolicy,
  DIMENSION_SOURCE_CONFIG_SPELLING,
  DIMENSION_SOURCE_NAMES,
  EVENT_TYPE_NAMES,
  EVENT_TYPE_V1_SPELLING,
  EmailSendingEvent,
  SES_AUTO_TAGS,
  SuppressionReason,
  TrackingHttpsPolicy,
} from './ses-enums';

/** One broken rule: where (relative to the checked object) and what, with a suggestion in the text. */
export interface RuleViolation {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** Per account and region; SES does not raise them. */
export const SES_QUOTAS = {
  configurationSetsPerAccountRegion: 10_000,
  eventDestinationsPerConfigurationSet: 10,
  dimensionsPerCloudWatchDestination: 10,
} as const;

/** Bounds of a configuration set's maximum delivery duration (5 minutes to 14 hours). */
export const MAX_DELIVERY_DURATION_SECONDS = { min: 300, max: 50_400 } as const;

/** Header names SES refuses as a dimension source. */
export const FORBIDDEN_HEADER_DIMENSIONS = [
  'Received',
  'To',
  'From',
  'DKIM-Signature',
  'CC',
  'message-id',
  'Return-Path',
] as const;

interface CharacterRule {
  readonly what: string;
  readonly allowed: RegExp; // one allowed character
  readonly allowedText: string;
  readonly maxLength: number;
}

const NAME_CHARACTERS = /[A-Za-z0-9_-]/;
const CONFIGURATION_SET_NAME: CharacterRule = {
  what: 'configuration set name',
  allowed: NAME_CHARACTERS,
  allowedText: 'letters, digits, "_" and "-"',
  maxLength: 64,
};
const EVENT_DESTINATION_NAME: CharacterRule = { ...CONFIGURATION_SET_NAME, what: 'event destination name' };
const SENDING_POOL_NAME: CharacterRule = { ...CONFIGURATION_SET_NAME, what: 'sending pool name' };
const DIMENSION_NAME: CharacterRule = {
  what: 'dimension name',
  allowed: /[A-Za-z0-9_:-]/,
  allowedText: 'letters, digits, "_", "-" and ":"',
  maxLength: 256,
};
const DEFAULT_DIMENSION_VALUE: CharacterRule = {
  what: 'default dimension value',
  allowed: /[A-Za-z0-9_@.-]/,
  allowedText: 'letters, digits, "_", "-", "@" and "."',
  maxLength: 256,
};

/** Values longer than this are cut in messages: a 100 MB value must not be echoed back. */
const MAX_QUOTED_LENGTH = 300;

/** A value as messages quote it, cut to a readable length. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
}

/** A name with every disallowed character replaced by "-", offered as a fix. */
function sanitised(value: string, rule: CharacterRule): string {
  return [...value]
    .map((character) => (rule.allowed.test(character) ? character : '-'))
    .join('')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, rule.maxLength);
}

function checkCharacters(value: string, rule: CharacterRule): string | undefined {
  const expectation = `use 1 to ${rule.maxLength} ${rule.allowedText}`;
  if (value.length === 0) return `the ${rule.what} is empty: ${expectation}.`;
  const bad = [...new Set([...value].filter((character) => !rule.allowed.test(character)))];
  if (bad.length === 0 && value.length <= rule.maxLength) return undefined;
  const reason =
    bad.length > 0
      ? `${bad.map(quote).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not allowed`
      : `it has ${value.length} characters`;
  const fix = sanitised(value, rule);
  const suggestion = fix.length > 0 && fix !== value ? ` Did you mean ${quote(fix)}?` : '';
  return `${quote(value)} is not a valid ${rule.what}: ${expectation} (${reason}).${suggestion}`;
}

export function checkOneOf(value: string, allowed: readonly string[], what: string): string | undefined {
  if (allowed.includes(value)) return undefined;
  return `${quote(value)} is not a valid ${what}: use one of ${allowed.join(', ')}.${didYouMean(value, allowed)}`;
}

/** A dimension value as CloudWatch receives it from SES (a default value, or one an alarm watches). */
export function checkDimensionValue(value: string): string | undefined {
  return checkCharacters(value, { ...DEFAULT_DIMENSION_VALUE, what: 'dimension value' });
}

/** The name part sesform adds to a resource name (an alarm of a set): the characters of a set name. */
export function checkNamePart(value: string, what: string): string | undefined {
  return checkCharacters(value, { ...CONFIGURATION_SET_NAME, what });
}

export function violation(path: ReadonlyArray<string | number>, message: string | undefined): RuleViolation[] {
  return message === undefined ? [] : [{ path, message }];
}

/** Duplicates in a list of names, reported at each repeat. */
export function duplicateNameViolations(names: readonly string[], what: string, scope: string): RuleViolation[] {
  const firstIndex = new Map<string, number>();
  const found: RuleViolation[] = [];
  names.forEach((name, index) => {
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else
      found.push({
        path: [index, 'name'],
        message: `${what} ${quote(name)} is declared twice in ${scope} (first at index ${first}): names must be unique.`,
      });
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Event types and value sources

/** Each enum value under both of its accepted spellings. */
function bySpelling<T extends string>(
  values: readonly T[],
  otherSpelling: Readonly<Record<T, string>>,
): Map<string, T> {
  return new Map(
    values.flatMap((value): [string, T][] => [
      [value, value],
      [otherSpelling[value], value],
    ]),
  );
}

const EVENT_TYPES_BY_SPELLING = bySpelling(Object.values(EmailSendingEvent), EVENT_TYPE_V1_SPELLING);

/** The v2 enum value for either spelling, or undefined when the word is no event type. */
export function parseEventType(word: string): EmailSendingEvent | undefined {
  return EVENT_TYPES_BY_SPELLING.get(word);
}

/** Valid event types as the v2 enum, duplicates removed, first occurrence order kept. */
export function normaliseEventTypes(words: readonly string[]): EmailSendingEvent[] {
  const events = words.map(parseEventType).filter((event): event is EmailSendingEvent => event !== undefined);
  return [...new Set(events)];
}

export function eventTypeViolations(words: readonly string[]): RuleViolation[] {
  if (words.length === 0)
    return [
      {
        path: [],
        message: 'at least one event type is required: an event destination that matches no event publishes nothing.',
      },
    ];
  return words.flatMap((word, index) => {
    if (typeof word === 'string' && parseEventType(word) !== undefined) return [];
    const text = String(word);
    return [
      {
        path: [index],
        message: `${quote(word)} is not an SES event type: use one of ${Object.values(EVENT_TYPE_V1_SPELLING).join(', ')} (or the v2 spelling, such as RENDERING_FAILURE).${didYouMean(text, EVENT_TYPE_NAMES)}`,
      },
    ];
  });
}

const SOURCES_BY_SPELLING = bySpelling(Object.values(CloudWatchDimensionSource), DIMENSION_SOURCE_CONFIG_SPELLING);

/** The v2 enum value for either spelling of a dimension value source. */
export function parseDimensionSource(word: string): CloudWatchDimensionSource | undefined {
  return SOURCES_BY_SPELLING.get(word);
}

// ---------------------------------------------------------------------------------------------
// Dimensions

/** The input of the dimension rules: what a CloudWatch dimension declares. */
export interface DimensionRuleInput {
  readonly name: string;
  readonly source: string;
  readonly defaultValue: string;
  readonly expectedValues?: number;
}

// A character outside printable ASCII: SES drops header metrics that contain one.
const NON_ASCII = /[^\x20-\x7e]/;

export function dimensionViolations(dimension: DimensionRuleInput): RuleViolation[] {
  const found: RuleViolation[] = [];
  const { name, defaultValue } = dimension;
  const source = parseDimensionSource(dimension.source);
  if (source === undefined) {
    found.push(
      ...violation(['source'], checkOneOf(dimension.source, DIMENSION_SOURCE_NAMES, 'dimension value source')),
    );
  }

  if (source === CloudWatchDimensionSource.EMAIL_HEADER && NON_ASCII.test(name)) {
    found.push({
      path: ['name'],
      message: `header name ${quote(name)} is not ASCII: SES would send the mail but silently publish no metric. Use letters, digits, "_", "-", "@" and ".".`,
    });
  } else {
    found.push(...violation(['name'], checkCharacters(name, DIMENSION_NAME)));
  }
  if (source === CloudWatchDimensionSource.EMAIL_HEADER && NON_ASCII.test(defaultValue)) {
    found.push({
      path: ['defaultValue'],
      message: `default value ${quote(defaultValue)} of an email-header dimension is not ASCII: SES would send the mail but silently publish no metric. Use letters, digits, "_", "-", "@" and ".".`,
    });
  } else {
    found.push(...violation(['defaultValue'], checkCharacters(defaultValue, DEFAULT_DIMENSION_VALUE)));
  }

  if (name.includes(':')) found.push(...colonViolations(name, source));
  const { expectedValues } = dimension;
  if (expectedValues !== undefined && (!Number.isInteger(expectedValues) || expectedValues < 1))
    found.push({
      path: ['expectedValues'],
      message: `expectedValues must be a whole number of distinct values, at least 1; found ${quote(expectedValues)}.`,
    });
  if (source === CloudWatchDimensionSource.EMAIL_HEADER) {
    const forbidden = FORBIDDEN_HEADER_DIMENSIONS.find((header) => header.toLowerCase() === name.toLowerCase());
    if (forbidden !== undefined)
      found.push({
        path: ['name'],
        message: `the ${forbidden} header cannot be a dimension (SES refuses ${FORBIDDEN_HEADER_DIMENSIONS.join(', ')}): use a header of your own, such as "X-Campaign".`,
      });
  }
  return found;
}

/** ":" only appears in SES's auto-tags, and those are message tags. */
function colonViolations(name: string, source: CloudWatchDimensionSource | undefined): RuleViolation[] {
  const isAutoTag = (SES_AUTO_TAGS as readonly string[]).includes(name);
  if (isAutoTag && source !== undefined && source !== CloudWatchDimensionSource.MESSAGE_TAG)
    return [
      {
        path: ['source'],
        message: `${quote(name)} is an SES auto-tag, which SES adds as a message tag: set source to "messageTag".`,
      },
    ];
  if (isAutoTag) return [];
  return [
    {
      path: ['name'],
      message: `${quote(name)} contains ":", which only the SES auto-tags may (${SES_AUTO_TAGS.join(', ')}).${didYouMean(name, SES_AUTO_TAGS)}`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Event destinations

/** The input of the event destination rules. */
export interface EventDestinationRuleInput {
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly dimensions: readonly DimensionRuleInput[];
}

export function checkEventDestinationName(name: string): string | undefined {
  return checkCharacters(name, EVENT_DESTINATION_NAME);
}

/** Rules over the dimensions of one destination: 1 to 10, unique names. Paths are relative to the list. */
export function dimensionListViolations(names: readonly string[], destinationName?: string): RuleViolation[] {
  const scope = destinationName === undefined ? 'this destination' : `destination ${quote(destinationName)}`;
  const found = duplicateNameViolations(names, 'dimension', scope);
  if (names.length === 0)
    found.push({
      path: [],
      message: 'a CloudWatch destination needs at least one dimension: SES publishes its metrics by dimension.',
    });
  if (names.length > SES_QUOTAS.dimensionsPerCloudWatchDestination)
    found.push({
      path: [],
      message: `${names.length} dimensions declared, but a CloudWatch destination takes at most ${SES_QUOTAS.dimensionsPerCloudWatchDestination}: split them over several destinations.`,
    });
  return found;
}

/** Every rule of one CloudWatch event destination, its dimensions included. */
export function eventDestinationViolations(destination: EventDestinationRuleInput): RuleViolation[] {
  const { dimensions } = destination;
  return [
    ...violation(['name'], checkEventDestinationName(destination.name)),
    ...prefixed(['eventTypes'], eventTypeViolations(destination.eventTypes)),
    ...prefixed(
      ['dimensions'],
      dimensionListViolations(
        dimensions.map((dimension) => dimension.name),
        destination.name,
      ),
    ),
    ...dimensions.flatMap((dimension, index) => prefixed(['dimensions', index], dimensionViolations(dimension))),
  ];
}

/** Rules over the destinations of one configuration set: unique names, at most 10. */
export function eventDestinationListViolations(names: readonly string[], setName?: string): RuleViolation[] {
  const scope = setName === undefined ? 'this configuration set' : `configuration set ${quote(setName)}`;
  const found = duplicateNameViolations(names, 'event destination', scope);
  if (names.length > SES_QUOTAS.eventDestinationsPerConfigurationSet)
    found.push({
      path: [],
      message: `${names.length} event destinations declared in ${scope}, but SES allows at most ${SES_QUOTAS.eventDestinationsPerConfigurationSet} per set.`,
    });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Configuration sets

/** The input of the configuration set rules. */
export interface ConfigurationSetRuleInput {
  readonly name: string;
  readonly deliveryOptions?: {
    readonly tlsPolicy?: string;
    readonly sendingPool?: string;
    readonly maxDeliveryDuration?: number | string;
  };
  readonly trackingOptions?: { readonly customRedirectDomain: string; readonly httpsPolicy?: string };
  readonly suppressedReasons?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export function checkConfigurationSetName(name: string): string | undefined {
  return checkCharacters(name, CONFIGURATION_SET_NAME);
}

export function checkSendingPoolName(name: string): string | undefined {
  return checkCharacters(name, SENDING_POOL_NAME);
}

export function suppressedReasonViolations(reasons: readonly string[]): RuleViolation[] {
  const found = reasons.flatMap((reason, index) =>
    violation([index], checkOneOf(reason, Object.values(SuppressionReason), 'suppression reason')),
  );
  if (new Set(reasons).size !== reasons.length)
    found.push({ path: [], message: 'each suppression reason may appear only once.' });
  return found;
}

/** Every rule of a configuration set's own settings (its destinations are checked on their own). */
export function configurationSetViolations(set: ConfigurationSetRuleInput): RuleViolation[] {
  const found = [...violation(['name'], checkConfigurationSetName(set.name))];
  const { tlsPolicy, sendingPool, maxDeliveryDuration } = set.deliveryOptions ?? {};
  const at =
    (...path: string[]) =>
    (message: string | undefined) =>
      found.push(...violation(path, message));
  if (tlsPolicy !== undefined)
    at('deliveryOptions', 'tlsPolicy')(checkOneOf(tlsPolicy, Object.values(ConfigurationSetTlsPolicy), 'TLS policy'));
  if (sendingPool !== undefined) at('deliveryOptions', 'sendingPool')(checkSendingPoolName(sendingPool));
  if (maxDeliveryDuration !== undefined)
    at('deliveryOptions', 'maxDeliveryDuration')(checkMaxDeliveryDuration(maxDeliveryDuration));
  if (set.trackingOptions !== undefined) {
    const { customRedirectDomain, httpsPolicy } = set.trackingOptions;
    at('trackingOptions', 'customRedirectDomain')(checkDomainName(customRedirectDomain));
    if (httpsPolicy !== undefined)
      at(
        'trackingOptions',
        'httpsPolicy',
      )(checkOneOf(httpsPolicy, Object.values(TrackingHttpsPolicy), 'tracking HTTPS policy'));
  }
  if (set.suppressedReasons !== undefined)
    found.push(...prefixed(['suppressedReasons'], suppressedReasonViolations(set.suppressedReasons)));
  if (set.tags !== undefined) found.push(...prefixed(['tags'], tagViolations(set.tags)));
  return found;
}

/** Rules over the configuration sets of one account and region: unique names, at most 10,000. */
export function configurationSetListViolations(names: readonly string[], scope: string): RuleViolation[] {
  const found = duplicateNameViolations(names, 'configuration set', scope);
  if (names.length > SES_QUOTAS.configurationSetsPerAccountRegion)
    found.push({
      path: [],
      message: `${names.length} configuration sets in ${scope}, but SES allows at most ${SES_QUOTAS.configurationSetsPerAccountRegion} per account and region.`,
    });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Durations, domains and tags

const DURATION_TEXT = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds from a number of seconds or a text such as "14h", "90m" or "1h30m"; undefined if unreadable. */
export function parseDurationSeconds(duration: number | string): number | undefined {
  if (typeof duration === 'number') return Number.isInteger(duration) ? duration : undefined;
  // As written ("6h"), without spaces around it.
  const match = DURATION_TEXT.exec(duration);
  if (match === null || duration === '') return undefined;
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return hours * 3600 + minutes * 60 + seconds;
}

export function checkMaxDeliveryDuration(duration: number | string): string | undefined {
  const seconds = parseDurationSeconds(duration);
  const bounds = `between 5 minutes (300 s) and 14 hours (50400 s)`;
  if (seconds === undefined)
    return `${quote(duration)} is not a duration: write whole seconds (3600) or a text such as "90m", "6h" or "1h30m", ${bounds}.`;
  const { min, max } = MAX_DELIVERY_DURATION_SECONDS;
  if (seconds < min || seconds > max)
    return `the maximum delivery duration must be ${bounds}; found ${quote(duration)} (${seconds} s).`;
  return undefined;
}

const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function checkDomainName(domain: string): string | undefined {
  const labels = domain.split('.');
  if (domain.length <= 253 && labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label))) return undefined;
  return `${quote(domain)} is not a domain name: write a host name such as "track.example.com", without a scheme or path.`;
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAGS = 50;

/** AWS tag rules: keys 1 to 128 characters, values up to 256, no "aws:" prefix, at most 50 tags. */
export function tagViolations(tags: Readonly<Record<string, string>>): RuleViolation[] {
  const found: RuleViolation[] = [];
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS)
    found.push({ path: [], message: `${keys.length} tags, but AWS allows at most ${MAX_TAGS} per resource.` });
  for (const key of keys) {
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key))
      found.push({
        path: [key],
        message: `tag key ${quote(key)} must be 1 to 128 letters, digits, spaces or _ . : / = + - @.`,
      });
    else if (key.toLowerCase().startsWith('aws:'))
      found.push({
        path: [key],
        message: `tag key ${quote(key)} starts with "aws:", which AWS reserves for its own tags.`,
      });
    const value = tags[key];
    if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value))
      found.push({
        path: [key],
        message: `tag value ${quote(value)} must be a text of up to 256 letters, digits, spaces or _ . : / = + - @.`,
      });
  }
  return found;
}

/** Violations re-rooted under `prefix`. */
export function prefixed(prefix: ReadonlyArray<string | number>, violations: RuleViolation[]): RuleViolation[] {
  return violations.map((found) => ({ path: [...prefix, ...found.path], message: found.message }));
}
