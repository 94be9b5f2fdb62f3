/**
 * Generated environments and the traffic that makes SES publish every series they can have, for the
 * exactness tests of the cost model (publishing-exactness unit and e2e tests). The traffic is built
 * from the declared values alone (every value of every dimension, and a message without each tag,
 * header or link tag), never from the cost model, so that counting what the emulator publishes is an
 * independent check of the estimate.
 */
import { carriesValue, defaultAppears } from '../../modules/publishing-rules';
import { CloudWatchDimensionSource, EmailSendingEvent, METRIC_NAMES, SesAutoTag } from '../../modules/ses-enums';

/** A small fast seeded generator (mulberry32): the same seed gives the same environments. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Source = 'messageTag' | 'emailHeader' | 'linkTag';

export const SOURCES: Record<Source, CloudWatchDimensionSource> = {
  messageTag: CloudWatchDimensionSource.MESSAGE_TAG,
  emailHeader: CloudWatchDimensionSource.EMAIL_HEADER,
  linkTag: CloudWatchDimensionSource.LINK_TAG,
};

export interface DimensionSpec {
  readonly name: string;
  readonly source: Source;
  readonly defaultValue: string;
  /** Written into the file; undefined for ses:configuration-set. */
  readonly expectedValues?: number;
  /** The values traffic gives it (a tag, header or link tag); for auto-tags what SES will fill. */
  readonly values: readonly string[];
}

export interface DestinationSpec {
  readonly name: string;
  readonly enabled: boolean;
  readonly eventTypes: readonly EmailSendingEvent[];
  readonly dimensions: readonly DimensionSpec[];
}

export interface SetSpec {
  readonly name: string;
  readonly destinations: readonly DestinationSpec[];
}

export interface EnvironmentSpec {
  readonly name: string;
  readonly accountId: string;
  readonly sets: readonly SetSpec[];
  /** The domains mail is sent from (ses:from-domain takes one value per domain). */
  readonly domains: readonly string[];
  /** The callers that send (ses:caller-identity); one where the emulator's caller is the deploy role. */
  readonly callers: readonly string[];
}

export interface GenerationOptions {
  readonly seed: number;
  readonly count: number;
  /** Event types destinations may subscribe to (the e2e variant: those the emulator can produce). */
  readonly eventTypes: readonly EmailSendingEvent[];
  /** Largest expectedValues of a tag, header or link tag (traffic grows with its power). */
  readonly maxValues: number;
  /** Callers to send as; > 1 only where the test builds messages itself. */
  readonly callers: (random: () => number) => readonly string[];
  readonly firstAccount: number;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const valuesOf = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

/** Auto-tags the emulator fills with one value each, whatever the traffic. */
const SINGLE_VALUED: readonly SesAutoTag[] = [
  'ses:source-ip',
  'ses:outgoing-ip',
  'ses:source-tls-version',
  'ses:outgoing-tls-version',
];

function dimensionPool(
  random: () => number,
  options: GenerationOptions,
  domains: string[],
  callers: readonly string[],
) {
  const declared = (name: string, source: Source, prefix: string): DimensionSpec => {
    const count = between(random, 1, options.maxValues);
    return {
      name,
      source,
      defaultValue: `dflt-${prefix}`,
      expectedValues: count,
      values: valuesOf(`${prefix}v`, count),
    };
  };
  const auto = (name: SesAutoTag, values: readonly string[]): DimensionSpec => ({
    name,
    source: 'messageTag',
    defaultValue: 'never',
    expectedValues: values.length,
    values,
  });
  return [
    declared('campaign', 'messageTag', 'c'),
    declared('tier', 'messageTag', 't'),
    declared('X-Team', 'emailHeader', 'h'),
    declared('X-Region', 'emailHeader', 'r'),
    declared('link', 'linkTag', 'l'),
    declared('button', 'linkTag', 'b'),
    { name: 'ses:configuration-set', source: 'messageTag', defaultValue: 'never', values: [] } as DimensionSpec,
    auto('ses:from-domain', domains),
    auto('ses:caller-identity', callers),
    ...SINGLE_VALUED.map((name) => auto(name, ['emulated'])),
  ];
}

/**
 * `count` environments, each in its own account: 1 to 3 sets of 1 to 3 destinations with 1 to 3
 * dimensions drawn from every source and auto-tag, random event types, some destinations disabled.
 * No two destinations of an environment share their dimension names, so that each CloudWatch
 * series belongs to one destination.
 */
export function generateEnvironments(options: GenerationOptions): EnvironmentSpec[] {
  const random = seeded(options.seed);
  return Array.from({ length: options.count }, (_, index) => {
    const domains = valuesOf(`d${index}x`, between(random, 1, 2)).map((label) => `${label}.example.org`);
    const callers = options.callers(random);
    const pool = dimensionPool(random, options, domains, callers);
    const used = new Set<string>();
    const sets = Array.from({ length: between(random, 1, 3) }, (_, setIndex): SetSpec => {
      const destinations: DestinationSpec[] = [];
      for (let destinationIndex = 0; destinationIndex < between(random, 1, 3); destinationIndex++) {
        const chosen = new Map<string, DimensionSpec>();
        const size = between(random, 1, 3);
        while (chosen.size < size) {
          const dimension = pick(random, pool);
          chosen.set(dimension.name, dimension);
        }
        const key = [...chosen.keys()].sort().join(',');
        if (used.has(key)) continue;
        used.add(key);
        const eventTypes = new Set<EmailSendingEvent>();
        const wanted = between(random, 1, 4);
        while (eventTypes.size < Math.min(wanted, options.eventTypes.length))
          eventTypes.add(pick(random, options.eventTypes));
        destinations.push({
          name: `dest${destinationIndex}`,
          enabled: random() > 0.12,
          eventTypes: [...eventTypes],
          dimensions: [...chosen.values()],
        });
      }
      return { name: `set${index}n${setIndex}`, destinations };
    }).filter((set) => set.destinations.length > 0);
    return {
      name: `gen${index}`,
      accountId: String(options.firstAccount + index).padStart(12, '0'),
      sets,
      domains,
      callers,
    };
  });
}

/** The configurationSets section of the environment file. */
export function configurationSetsYaml(environment: EnvironmentSpec): string {
  const lines = ['configurationSets:'];
  for (const set of environment.sets) {
    lines.push(`  - name: ${set.name}`, '    eventDestinations:');
    for (const destination of set.destinations) {
      lines.push(
        `      - name: ${destination.name}`,
        `        enabled: ${destination.enabled}`,
        `        eventTypes: [${destination.eventTypes.join(', ')}]`,
        '        cloudWatch:',
        '          dimensions:',
      );
      for (const dimension of destination.dimensions)
        lines.push(
          `            - { name: ${dimension.name}, source: ${dimension.source}, defaultValue: ${dimension.defaultValue}${dimension.expectedValues === undefined ? '' : `, expectedValues: ${dimension.expectedValues}`} }`,
        );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One message of the traffic: what it carries, and the tags of each of its links. */
export interface MatrixMessage {
  readonly from: string;
  readonly caller: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly links: readonly Readonly<Record<string, string>>[];
}

/** Every combination of one option per list. */
function product<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((combos, list) => combos.flatMap((combo) => list.map((item) => [...combo, item])), [[]]);
}

const MISSING = undefined;

/**
 * The traffic through a set: for each destination, a message for every combination of its message
 * tags' and headers' values (each also missing), its from-domains and callers, and in each message a
 * link for every combination of its link tags' values (each also missing). Fields of the set's other
 * destinations stay missing, so those get their defaults.
 */
export function trafficFor(environment: EnvironmentSpec, set: SetSpec): MatrixMessage[] {
  const messages: MatrixMessage[] = [];
  for (const destination of set.destinations) {
    const carried = destination.dimensions.filter((dimension) => dimension.source !== 'linkTag');
    const linked = destination.dimensions.filter((dimension) => dimension.source === 'linkTag');
    const optionsOf = (dimension: DimensionSpec): (string | undefined)[] => {
      if (dimension.name === 'ses:from-domain') return [...environment.domains];
      if (dimension.name === 'ses:caller-identity') return [...environment.callers];
      if (dimension.name.startsWith('ses:')) return [MISSING]; // SES's own single value
      return [...dimension.values, MISSING];
    };
    const links = product(linked.map((dimension) => [...dimension.values, MISSING])).map(
      (combo) =>
        Object.fromEntries(
          combo.flatMap((value, index) => (value === MISSING ? [] : [[linked[index].name, value]])),
        ) as Record<string, string>,
    );
    for (const combo of product(carried.map(optionsOf))) {
      const at = (name: string) => combo[carried.findIndex((dimension) => dimension.name === name)];
      const of = (source: Source) =>
        Object.fromEntries(
          carried.flatMap((dimension, index) =>
            dimension.source === source && !dimension.name.startsWith('ses:') && combo[index] !== MISSING
              ? [[dimension.name, combo[index]!]]
              : [],
          ),
        ) as Record<string, string>;
      messages.push({
        from: `sender@${at('ses:from-domain') ?? environment.domains[0]}`,
        caller: at('ses:caller-identity') ?? environment.callers[0],
        tags: of('messageTag'),
        headers: of('emailHeader'),
        links,
      });
    }
  }
  return messages;
}

/** The HTML body of a message: one anchor per link, with its ses:tags. */
export function htmlOf(message: MatrixMessage): string {
  return message.links
    .map((tags, index) => {
      const pairs = Object.entries(tags).map(([name, value]) => `${name}:${value}`);
      const attribute = pairs.length === 0 ? '' : ` ses:tags="${pairs.join(';')}"`;
      return `<a href="${linkUrl(index)}"${attribute}>link ${index}</a>`;
    })
    .join('\n');
}

export const linkUrl = (index: number) => `https://example.org/l${index}`;

/** A series as CloudWatch lists it: metric name and dimension values by name. */
export interface Series {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The destination of an environment whose dimension names are exactly the series'. */
export function destinationOfSeries(
  environment: EnvironmentSpec,
  series: Series,
): { set: SetSpec; destination: DestinationSpec } | undefined {
  const key = Object.keys(series.dimensions).sort().join(',');
  for (const set of environment.sets)
    for (const destination of set.destinations)
      if (
        destination.dimensions
          .map((dimension) => dimension.name)
          .sort()
          .join(',') === key &&
        (!('ses:configuration-set' in series.dimensions) || series.dimensions['ses:configuration-set'] === set.name)
      )
        return { set, destination };
  return undefined;
}

const METRIC_EVENTS = Object.fromEntries(
  Object.entries(METRIC_NAMES).map(([event, metricName]) => [metricName, event as EmailSendingEvent]),
);

/** The reasons a series is one the publishing rules say SES cannot publish; empty when it is possible. */
export function impossibilities(environment: EnvironmentSpec, series: Series): string[] {
  const owner = destinationOfSeries(environment, series);
  if (owner === undefined) return [`no destination has dimensions ${Object.keys(series.dimensions).join(', ')}`];
  const event = METRIC_EVENTS[series.metricName];
  const found: string[] = [];
  if (!owner.destination.eventTypes.includes(event)) found.push(`${event} is not an event type of the destination`);
  for (const dimension of owner.destination.dimensions) {
    const value = series.dimensions[dimension.name];
    const rule = { name: dimension.name, source: SOURCES[dimension.source] };
    const isDefault = value === dimension.defaultValue;
    if (isDefault && !defaultAppears(rule, event)) found.push(`${dimension.name} at its default on ${event}`);
    if (!isDefault && !carriesValue(rule, event)) found.push(`${dimension.name}=${value} on ${event}`);
    if (dimension.name === 'ses:configuration-set' && !isDefault && value !== owner.set.name)
      found.push(`ses:configuration-set=${value} in set ${owner.set.name}`);
  }
  return found;
}
