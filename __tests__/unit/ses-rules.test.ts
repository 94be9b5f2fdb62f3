import {
  SES_QUOTAS,
  checkConfigurationSetName,
  checkDomainName,
  checkEventDestinationName,
  checkMaxDeliveryDuration,
  configurationSetListViolations,
  dimensionViolations,
  eventDestinationListViolations,
  parseDurationSeconds,
  tagViolations,
} from '../../modules/ses-rules';
import { closestMatch } from '../../modules/did-you-mean';

const messages = (violations: { message: string }[]) => violations.map((found) => found.message);

describe('SES name rules', () => {
  test.each([
    ['configuration set', checkConfigurationSetName],
    ['event destination', checkEventDestinationName],
  ])('%s names: letters, digits, "_" and "-", 1 to 64 characters', (what, check) => {
    expect(check('Transactional_2024-eu')).toBeUndefined();
    expect(check('a'.repeat(64))).toBeUndefined();
    expect(check('a'.repeat(65))).toBe(
      `"${'a'.repeat(65)}" is not a valid ${what} name: use 1 to 64 letters, digits, "_" and "-" (it has 65 characters). Did you mean "${'a'.repeat(64)}"?`,
    );
    expect(check('')).toBe(`the ${what} name is empty: use 1 to 64 letters, digits, "_" and "-".`);
    expect(check('café.set')).toBe(
      `"café.set" is not a valid ${what} name: use 1 to 64 letters, digits, "_" and "-" ("é", "." are not allowed). Did you mean "caf-set"?`,
    );
  });
});

describe('dimension rules', () => {
  const dimension = (name: string, source: string, defaultValue = 'none') =>
    messages(dimensionViolations({ name, source, defaultValue }));

  test('dimension names take letters, digits, "_", "-" and ":" up to 256 characters', () => {
    expect(dimension('a'.repeat(256), 'messageTag')).toEqual([]);
    expect(dimension('a'.repeat(257), 'messageTag')[0]).toContain('(it has 257 characters)');
    expect(dimension('camp aign', 'messageTag')[0]).toBe(
      '"camp aign" is not a valid dimension name: use 1 to 256 letters, digits, "_", "-" and ":" (" " is not allowed). Did you mean "camp-aign"?',
    );
  });

  test('default values take letters, digits, "_", "-", "@" and "." up to 256 characters', () => {
    expect(dimension('campaign', 'messageTag', 'ops@example.com')).toEqual([]);
    expect(dimension('campaign', 'messageTag', '')).toEqual([
      'the default dimension value is empty: use 1 to 256 letters, digits, "_", "-", "@" and ".".',
    ]);
    expect(dimension('campaign', 'messageTag', 'a/b')[0]).toContain('"/" is not allowed');
    expect(dimension('campaign', 'messageTag', 'x'.repeat(257))[0]).toContain('(it has 257 characters)');
  });

  test('":" is only valid in the SES auto-tags, which are message tags', () => {
    expect(dimension('ses:configuration-set', 'messageTag')).toEqual([]);
    expect(dimension('ses:outgoing-tls-version', 'MESSAGE_TAG')).toEqual([]);
    expect(dimension('team:name', 'messageTag')[0]).toContain(
      '"team:name" contains ":", which only the SES auto-tags may',
    );
    expect(dimension('ses:from-domian', 'messageTag')[0]).toContain('Did you mean "ses:from-domain"?');
    expect(dimension('ses:source-ip', 'linkTag')).toEqual([
      '"ses:source-ip" is an SES auto-tag, which SES adds as a message tag: set source to "messageTag".',
    ]);
  });

  test('email-header dimensions refuse the headers SES cannot use, in any case', () => {
    for (const header of ['Received', 'to', 'FROM', 'dkim-signature', 'Cc', 'Message-ID', 'return-path'])
      expect(dimension(header, 'emailHeader')[0]).toMatch(/header cannot be a dimension/);
    expect(dimension('X-Campaign', 'emailHeader')).toEqual([]);
    expect(dimension('From', 'messageTag')).toEqual([]);
  });

  test('email-header dimensions must be ASCII, or SES drops the metric silently', () => {
    expect(dimension('X-Kampagne-Größe', 'emailHeader')[0]).toBe(
      'header name "X-Kampagne-Größe" is not ASCII: SES would send the mail but silently publish no metric. Use letters, digits, "_", "-", "@" and ".".',
    );
    expect(dimension('X-Campaign', 'emailHeader', 'défaut')[0]).toContain('of an email-header dimension is not ASCII');
    // Elsewhere a non-ASCII value is just an invalid character.
    expect(dimension('campaign', 'messageTag', 'défaut')[0]).toContain('"é" is not allowed');
  });

  test('an unknown value source is refused with a suggestion', () => {
    expect(dimension('campaign', 'messageTags')[0]).toBe(
      '"messageTags" is not a valid dimension value source: use one of messageTag, emailHeader, linkTag, MESSAGE_TAG, EMAIL_HEADER, LINK_TAG. Did you mean "messageTag"?',
    );
  });
});

describe('quotas', () => {
  const names = (count: number) => Array.from({ length: count }, (_, index) => `n${index}`);

  test('10 event destinations per configuration set', () => {
    expect(eventDestinationListViolations(names(SES_QUOTAS.eventDestinationsPerConfigurationSet), 'set')).toEqual([]);
    expect(messages(eventDestinationListViolations(names(11), 'set'))).toEqual([
      '11 event destinations declared in configuration set "set", but SES allows at most 10 per set.',
    ]);
  });

  test('10,000 configuration sets per account and region', () => {
    expect(configurationSetListViolations(names(10_000), 'account 1, region r')).toEqual([]);
    expect(messages(configurationSetListViolations(names(10_001), 'account 1, region r'))).toEqual([
      '10001 configuration sets in account 1, region r, but SES allows at most 10000 per account and region.',
    ]);
  });

  test('duplicate names are reported at the repeat', () => {
    expect(configurationSetListViolations(['a', 'b', 'a'], 'this environment')).toEqual([
      {
        path: [2, 'name'],
        message:
          'configuration set "a" is declared twice in this environment (first at index 0): names must be unique.',
      },
    ]);
  });
});

describe('maximum delivery duration', () => {
  test.each([
    [300, 300],
    [50_400, 50_400],
    ['5m', 300],
    ['14h', 50_400],
    ['1h30m', 5_400],
    ['90m', 5_400],
    ['3600s', 3_600],
  ])('%p is %p seconds and within bounds', (written, seconds) => {
    expect(parseDurationSeconds(written)).toBe(seconds);
    expect(checkMaxDeliveryDuration(written)).toBeUndefined();
  });

  test.each([299, 50_401, '4m', '14h1s'])('%p is out of bounds', (written) => {
    expect(checkMaxDeliveryDuration(written)).toMatch(
      /^the maximum delivery duration must be between 5 minutes \(300 s\) and 14 hours \(50400 s\); found .+ \(\d+ s\)\.$/,
    );
  });

  test.each(['six hours', '', 'h', 3.5])('%p is not a duration', (written) => {
    expect(checkMaxDeliveryDuration(written)).toMatch(/is not a duration: write whole seconds/);
  });
});

describe('domains and tags', () => {
  test('a custom redirect domain is a host name', () => {
    expect(checkDomainName('track.example.com')).toBeUndefined();
    expect(checkDomainName('example')).toContain('is not a domain name');
    expect(checkDomainName('https://track.example.com')).toContain('without a scheme or path');
    expect(checkDomainName('-bad.example.com')).toContain('is not a domain name');
  });

  test('tags follow the AWS rules', () => {
    expect(tagViolations({ team: 'messaging', 'cost-center': 'cc 4711' })).toEqual([]);
    expect(messages(tagViolations({ 'aws:owner': 'me' }))).toEqual([
      'tag key "aws:owner" starts with "aws:", which AWS reserves for its own tags.',
    ]);
    expect(messages(tagViolations({ ['k'.repeat(129)]: 'v' }))[0]).toContain('must be 1 to 128');
    expect(messages(tagViolations({ team: 'a'.repeat(257) }))[0]).toContain('up to 256');
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
    expect(messages(tagViolations(many))).toEqual(['51 tags, but AWS allows at most 50 per resource.']);
  });
});

describe('did you mean', () => {
  test('prefers the candidate written in the same style', () => {
    expect(closestMatch('bounces', ['BOUNCE', 'bounce'])).toBe('bounce');
    expect(closestMatch('DELIVERYDELAY', ['deliveryDelay', 'DELIVERY_DELAY'])).toBe('DELIVERY_DELAY');
  });

  test('suggests nothing when nothing is close', () => {
    expect(closestMatch('colour', ['name', 'accountId', 'regions'])).toBeUndefined();
  });
});
