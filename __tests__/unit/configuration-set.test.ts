import { Sesv2ConfigurationSet } from '../../src/cdk/aws-provider';
import { Testing } from '../../src/cdk/cdk-core';
import {
  CloudWatchEventDestination,
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  Dimension,
  EmailSendingEvent,
  SesValidationError,
  SuppressionReason,
  TrackingHttpsPolicy,
} from '../../modules';
import { synth } from '../helpers/synth';

const metrics = {
  name: 'metrics',
  eventTypes: [EmailSendingEvent.BOUNCE],
  dimensions: [Dimension.messageTag('campaign', 'none')],
};

describe('ConfigurationSet', () => {
  test('given only a name, when synthesized, then sending and reputation metrics are on and nothing else is set', () => {
    const json = Testing.synthScope((scope) => {
      new ConfigurationSet(scope, 'set', { name: 'transactional' });
    });
    expect(json).toHaveResourceWithProperties(Sesv2ConfigurationSet, {
      configuration_set_name: 'transactional',
      sending_options: { sending_enabled: true },
      reputation_options: { reputation_metrics_enabled: true },
    });
    const set = synth((scope) => new ConfigurationSet(scope, 'set', { name: 'transactional' })).configurationSet(
      'transactional',
    );
    expect(set.delivery_options).toBeUndefined();
    expect(set.tracking_options).toBeUndefined();
    expect(set.suppression_options).toBeUndefined();
    expect(set.lifecycle).toBeUndefined();
  });

  test('given every option, when synthesized, then each maps to its provider argument', () => {
    const set = synth(
      (scope) =>
        new ConfigurationSet(scope, 'set', {
          name: 'marketing',
          sendingEnabled: false,
          reputationMetrics: false,
          deliveryOptions: {
            tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
            sendingPool: 'dedicated-pool',
            maxDeliveryDuration: '1h30m',
          },
          trackingOptions: { customRedirectDomain: 'track.example.com', httpsPolicy: TrackingHttpsPolicy.REQUIRE },
          suppressedReasons: [SuppressionReason.BOUNCE, 'COMPLAINT'],
          tags: { team: 'messaging' },
          protect: true,
        }),
    ).configurationSet('marketing');
    expect(set).toMatchObject({
      sending_options: { sending_enabled: false },
      reputation_options: { reputation_metrics_enabled: false },
      delivery_options: { tls_policy: 'REQUIRE', sending_pool_name: 'dedicated-pool', max_delivery_seconds: 5400 },
      tracking_options: { custom_redirect_domain: 'track.example.com', https_policy: 'REQUIRE' },
      suppression_options: { suppressed_reasons: ['BOUNCE', 'COMPLAINT'] },
      tags: { team: 'messaging' },
      lifecycle: { prevent_destroy: true },
    });
  });

  test('given an empty suppression list, when synthesized, then set-level suppression is explicitly off', () => {
    const set = synth((scope) => new ConfigurationSet(scope, 'set', { name: 'alerts', suppressedReasons: [] }));
    expect(set.configurationSet('alerts').suppression_options).toEqual({ suppressed_reasons: [] });
  });

  test('given a maximum delivery duration in seconds, when synthesized, then it is passed as seconds', () => {
    const set = synth(
      (scope) => new ConfigurationSet(scope, 'set', { name: 'alerts', deliveryOptions: { maxDeliveryDuration: 300 } }),
    );
    expect(set.configurationSet('alerts').delivery_options).toEqual({ max_delivery_seconds: 300 });
  });

  test('given several broken props, when constructed, then one error lists every problem with the construct path', () => {
    let error: unknown;
    Testing.synthScope((scope) => {
      try {
        new ConfigurationSet(scope, 'bad', {
          name: 'bad name!',
          deliveryOptions: { maxDeliveryDuration: '15h', tlsPolicy: 'required' as ConfigurationSetTlsPolicy },
          trackingOptions: { customRedirectDomain: 'https://track.example.com/x' },
          suppressedReasons: ['BOUNCE', 'BOUNCE'],
        });
      } catch (caught) {
        error = caught;
      }
    });
    expect(error).toBeInstanceOf(SesValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/\/bad: 5 SES rule violation\(s\)/);
    expect(message).toContain('name: "bad name!" is not a valid configuration set name');
    expect(message).toContain('Did you mean "bad-name"?');
    expect(message).toContain(
      'deliveryOptions.maxDeliveryDuration: the maximum delivery duration must be between 5 minutes',
    );
    expect(message).toContain(
      'deliveryOptions.tlsPolicy: "required" is not a valid TLS policy: use one of REQUIRE, OPTIONAL. Did you mean "REQUIRE"?',
    );
    expect(message).toContain(
      'trackingOptions.customRedirectDomain: "https://track.example.com/x" is not a domain name',
    );
    expect(message).toContain('suppressedReasons: each suppression reason may appear only once.');
  });

  test('given a set, when destinations are added, then each references the managed set', () => {
    const stack = synth((scope) => {
      const set = new ConfigurationSet(scope, 'set', { name: 'transactional' });
      set.addCloudWatchDestination(metrics);
    });
    expect(stack.destination('transactional', 'metrics').configuration_set_name).toMatch(
      /^\$\{aws_sesv2_configuration_set\.set_[A-F0-9]+\.configuration_set_name\}$/,
    );
  });

  test('given ten destinations, when an eleventh is added, then it is refused', () => {
    Testing.synthScope((scope) => {
      const set = new ConfigurationSet(scope, 'set', { name: 'busy' });
      for (let index = 0; index < 10; index++) set.addCloudWatchDestination({ ...metrics, name: `d${index}` });
      expect(() => set.addCloudWatchDestination({ ...metrics, name: 'd10' })).toThrow(
        '11 event destinations declared in configuration set "busy", but SES allows at most 10 per set.',
      );
    });
  });

  test('given a destination, when another with the same name is added, then it is refused', () => {
    Testing.synthScope((scope) => {
      const set = new ConfigurationSet(scope, 'set', { name: 'transactional' });
      set.addCloudWatchDestination(metrics);
      expect(() => set.addCloudWatchDestination(metrics)).toThrow(
        'event destination "metrics" is declared twice in configuration set "transactional"',
      );
    });
  });

  test('given a set managed elsewhere, when a destination is added by name, then it names the set literally', () => {
    const stack = synth((scope) => {
      new CloudWatchEventDestination(scope, 'd', {
        ...metrics,
        configurationSet: ConfigurationSet.fromName(scope, 'legacy', 'legacy'),
      });
    });
    expect(stack.destination('legacy', 'metrics').configuration_set_name).toBe('legacy');
  });

  test('a set imported by name is a construct in the tree, and its destinations obey the same rules', () => {
    Testing.synthScope((scope) => {
      const orders = ConfigurationSet.fromName(scope, 'orders', 'orders');
      expect(orders.node.path).toMatch(/orders$/);
      expect(orders.importId).toBe('orders');
      orders.addCloudWatchDestination({ ...metrics, name: 'dup' });
      expect(() => orders.addCloudWatchDestination({ ...metrics, name: 'dup' })).toThrow(
        'event destination "dup" is declared twice in configuration set "orders"',
      );
      // Created directly for the imported set, past the add check: its validation sees them all.
      for (let index = 0; index < 11; index++)
        new CloudWatchEventDestination(scope, `dup-${index}`, { ...metrics, name: 'dup', configurationSet: orders });
      expect(orders.node.validate()).toEqual(
        expect.arrayContaining([
          '12 event destinations declared in configuration set "orders", but SES allows at most 10 per set.',
        ]),
      );
      expect(orders.node.validate().some((message) => message.includes('"dup" is declared'))).toBe(true);
    });
    expect(() => Testing.synthScope((scope) => ConfigurationSet.fromName(scope, 'bad', 'no spaces'))).toThrow(
      /letters, digits/,
    );
  });

  test('each set keeps its own destinations, wherever they were created, and its validation counts them', () => {
    Testing.synthScope((scope) => {
      const [one, two] = ['one', 'two'].map((name) => new ConfigurationSet(scope, name, { name }));
      one.addCloudWatchDestination(metrics);
      // Created under another scope, for the set: still the set's (SES counts it against the set's 10).
      new CloudWatchEventDestination(scope, 'elsewhere', { ...metrics, name: 'elsewhere', configurationSet: one });
      two.addCloudWatchDestination({ ...metrics, name: 'other' });
      expect(one.eventDestinations.map((destination) => destination.eventDestinationName)).toEqual([
        'metrics',
        'elsewhere',
      ]);
      expect(two.eventDestinations.map((destination) => destination.eventDestinationName)).toEqual(['other']);
      for (let index = 0; index < 8; index++) one.addCloudWatchDestination({ ...metrics, name: `more-${index}` });
      expect(() => one.addCloudWatchDestination({ ...metrics, name: 'eleventh' })).toThrow(
        '11 event destinations declared in configuration set "one", but SES allows at most 10 per set.',
      );
      // Past the add check, the set's own validation still sees every destination made for it.
      new CloudWatchEventDestination(scope, 'direct', { ...metrics, name: 'direct', configurationSet: one });
      expect(one.node.validate()).toEqual([
        '11 event destinations declared in configuration set "one", but SES allows at most 10 per set.',
      ]);
    });
  });

  test('import IDs follow the provider: the set name', () => {
    Testing.synthScope((scope) => {
      const set = new ConfigurationSet(scope, 'set', { name: 'transactional' });
      expect(set.importId).toBe('transactional');
      expect(set.addCloudWatchDestination(metrics).importId).toBe('transactional|metrics');
    });
  });
});
