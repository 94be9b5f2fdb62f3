/**
 * The sender contract of a configuration set: exactly what an application puts on its mail so that
 * every declared dimension gets a real value instead of its default. From the fleet model; rules
 * from the SES developer guide's event publishing pages (message tags through the API's EmailTags or
 * the X-SES-MESSAGE-TAGS header, the set through ConfigurationSetName or X-SES-CONFIGURATION-SET,
 * header dimensions from the named header, ASCII only, link tags from the `ses:tags` attribute of
 * a link, reaching click events only; auto-tags are SES's own).
 */
import { PUBLISHING_RULES } from '../../modules/publishing-rules';
import { CloudWatchDimensionSource, EVENT_TYPE_V1_SPELLING, isAutoTag } from '../../modules/ses-enums';
import type { FleetConfigurationSet } from '../fleet/fleet';
import { DESTINATION_KIND_NAMES, targetResource } from '../../modules/event-targets';

export const SENDER_FORMATS = ['api', 'smtp', 'sdk-js', 'json'] as const;
export type SenderFormat = (typeof SENDER_FORMATS)[number];

/** A value in SES's tag alphabet (ASCII letters, digits, `_`, `-`; up to 256) standing for the sender's own. */
export function exampleValue(dimension: string): string {
  const word = dimension
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return `your-${word || 'value'}`.slice(0, 256);
}

export interface ContractField {
  /** The dimension's name: the tag, header or link-tag name the sender sets. */
  readonly name: string;
  readonly example: string;
  /** What SES records when the mail does not carry it. */
  readonly defaultValue: string;
  /** The destinations whose metrics it splits. */
  readonly destinations: readonly string[];
}

export interface SenderContract {
  readonly configurationSet: string;
  readonly sends: boolean;
  readonly messageTags: readonly ContractField[];
  readonly headers: readonly ContractField[];
  readonly linkTags: readonly ContractField[];
  /** Auto-tags: SES fills them; nothing to send. */
  readonly autoTags: readonly string[];
  /**
   * Where else the set's events go (SNS, EventBridge, Firehose, Pinpoint): nothing to send for them,
   * but a sender learns where its bounces and complaints arrive.
   */
  readonly publishesTo: readonly { destination: string; kind: string; target: string; eventTypes: readonly string[] }[];
}

function fields(set: FleetConfigurationSet, source: CloudWatchDimensionSource, auto: boolean): ContractField[] {
  const byName = new Map<string, ContractField>();
  for (const destination of set.destinations.filter((each) => each.enabled))
    for (const dimension of destination.dimensions) {
      if (dimension.source !== source || isAutoTag(dimension.name) !== auto) continue;
      const known = byName.get(dimension.name);
      byName.set(dimension.name, {
        name: dimension.name,
        example: exampleValue(dimension.name),
        defaultValue: known?.defaultValue ?? dimension.defaultValue,
        destinations: [...new Set([...(known?.destinations ?? []), destination.name])],
      });
    }
  return [...byName.values()];
}

export function senderContract(set: FleetConfigurationSet): SenderContract {
  return {
    configurationSet: set.name,
    sends: set.definition.sendingEnabled !== false,
    messageTags: fields(set, CloudWatchDimensionSource.MESSAGE_TAG, false),
    headers: fields(set, CloudWatchDimensionSource.EMAIL_HEADER, false),
    linkTags: fields(set, CloudWatchDimensionSource.LINK_TAG, false),
    autoTags: fields(set, CloudWatchDimensionSource.MESSAGE_TAG, true).map((field) => field.name),
    publishesTo: set.destinations.flatMap((destination) =>
      destination.target === undefined || !destination.enabled
        ? []
        : [
            {
              destination: destination.name,
              kind: DESTINATION_KIND_NAMES[destination.kind],
              target: targetResource(destination.target),
              eventTypes: destination.eventTypes.map((event) => EVENT_TYPE_V1_SPELLING[event]),
            },
          ],
    ),
  };
}

const tagsHeader = (contract: SenderContract) =>
  contract.messageTags.map((tag) => `${tag.name}=${tag.example}`).join(', ');
const linkExample = (contract: SenderContract) =>
  `<a href="https://example.com/page" ses:tags="${contract.linkTags.map((tag) => `${tag.name}:${tag.example}`).join(';')}">`;

function notes(contract: SenderContract): string[] {
  const lines: string[] = [];
  if (!contract.sends) lines.push('  This set does not send (sendingEnabled: false): SES refuses mail that names it.');
  for (const field of [...contract.messageTags, ...contract.headers, ...contract.linkTags])
    lines.push(`  ${field.name}: without it, SES records "${field.defaultValue}" (${field.destinations.join(', ')}).`);
  if (contract.headers.length > 0)
    lines.push('  Header values must be ASCII: with any other character SES sends the mail and publishes no metric.');
  if (contract.linkTags.length > 0)
    lines.push(
      `  Link tags reach ${PUBLISHING_RULES[CloudWatchDimensionSource.LINK_TAG].carriedBy.map((event) => EVENT_TYPE_V1_SPELLING[event]).join(', ')} events only: on every other event SES records the default.`,
    );
  if (contract.autoTags.length > 0) lines.push(`  Set by SES itself: ${contract.autoTags.join(', ')}.`);
  for (const target of contract.publishesTo)
    lines.push(
      `  ${target.eventTypes.join(', ')} events also go to ${target.kind} ${target.target} (${target.destination}).`,
    );
  return lines;
}

function apiText(contract: SenderContract): string[] {
  return [
    `${contract.configurationSet} (SES API v2 SendEmail / SendBulkEmail):`,
    `  ConfigurationSetName: ${contract.configurationSet}`,
    ...(contract.messageTags.length > 0
      ? ['  EmailTags:', ...contract.messageTags.map((tag) => `    - Name: ${tag.name}\n      Value: ${tag.example}`)]
      : []),
    ...(contract.headers.length > 0
      ? [
          '  Headers (Content.Simple.Headers or Content.Template.Headers):',
          ...contract.headers.map((header) => `    - Name: ${header.name}\n      Value: ${header.example}`),
        ]
      : []),
    ...(contract.linkTags.length > 0 ? [`  Links in the HTML body: ${linkExample(contract)}`] : []),
    ...notes(contract),
  ];
}

function smtpText(contract: SenderContract): string[] {
  return [
    `${contract.configurationSet} (SMTP or raw MIME):`,
    `  X-SES-CONFIGURATION-SET: ${contract.configurationSet}`,
    ...(contract.messageTags.length > 0 ? [`  X-SES-MESSAGE-TAGS: ${tagsHeader(contract)}`] : []),
    ...contract.headers.map((header) => `  ${header.name}: ${header.example}`),
    ...(contract.linkTags.length > 0 ? [`  Links in the HTML body: ${linkExample(contract)}`] : []),
    ...notes(contract),
  ];
}

function sdkText(contract: SenderContract): string[] {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const html = contract.linkTags.length > 0 ? `${linkExample(contract)}Read more</a>` : '<p>Hello</p>';
  return [
    `// ${contract.configurationSet}: AWS SDK for JavaScript v3`,
    `import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';`,
    '',
    'await new SESv2Client({}).send(',
    '  new SendEmailCommand({',
    "    FromEmailAddress: 'sender@example.com',",
    "    Destination: { ToAddresses: ['recipient@example.com'] },",
    `    ConfigurationSetName: ${quote(contract.configurationSet)},`,
    ...(contract.messageTags.length > 0
      ? [
          '    EmailTags: [',
          ...contract.messageTags.map((tag) => `      { Name: ${quote(tag.name)}, Value: ${quote(tag.example)} },`),
          '    ],',
        ]
      : []),
    '    Content: {',
    '      Simple: {',
    "        Subject: { Data: 'Subject' },",
    `        Body: { Html: { Data: ${quote(html)} } },`,
    ...(contract.headers.length > 0
      ? [
          '        Headers: [',
          ...contract.headers.map(
            (header) => `          { Name: ${quote(header.name)}, Value: ${quote(header.example)} },`,
          ),
          '        ],',
        ]
      : []),
    '      },',
    '    },',
    '  }),',
    ');',
  ];
}

export function renderContracts(contracts: readonly SenderContract[], format: SenderFormat): string {
  if (format === 'json') return `${JSON.stringify({ contracts }, null, 2)}\n`;
  const render = { api: apiText, smtp: smtpText, 'sdk-js': sdkText }[format];
  return `${contracts.map((contract) => render(contract).join('\n')).join('\n\n')}\n`;
}
