import { Sesv2ConfigurationSetEventDestination } from '../../src/cdk/aws-provider';
import { Testing } from '../../src/cdk/cdk-core';
import {
  CloudWatchDimension,
  CloudWatchDimensionSource,
  ConfigurationSet,
  Dimension,
  EmailSendingEvent,
  EventTypeName,
} from '../../modules';
import { synth } from '../helpers/synth';

function destination(options: { eventTypes?: EventTypeName[]; dimensions?: CloudWatchDimension[]; enabled?: boolean }) {
  return synth((scope) =>
    new ConfigurationSet(scope, 'set', { name: 'transactional' }).addCloudWatchDestination({
      name: 'metrics',
      eventTypes: options.eventTypes ?? ['bounce'],
      dimensions: options.dimensions ?? [Dimension.messageTag('campaign', 'none')],
      enabled: options.enabled,
    }),
  ).destination('transactional', 'metrics');
}

function constructionError(options: Parameters<typeof destination>[0]): string {
  try {
    destination(options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to refuse these props');
}

describe('CloudWatchEventDestination', () => {
  test('given no enabled flag, when synthesized, then the destination is enabled (the provider would default to false)', () => {
    const json = Testing.synthScope((scope) => {
      new ConfigurationSet(scope, 'set', { name: 'transactional' }).addCloudWatchDestination({
        name: 'metrics',
        eventTypes: [EmailSendingEvent.SEND],
        dimensions: [Dimension.autoTag('ses:configuration-set', 'transactional')],
      });
    });
    expect(json).toHaveResourceWithProperties(Sesv2ConfigurationSetEventDestination, {
      event_destination_name: 'metrics',
      event_destination: {
        enabled: true,
        matching_event_types: ['SEND'],
        cloud_watch_destination: {
          dimension_configuration: [
            {
              dimension_name: 'ses:configuration-set',
              dimension_value_source: 'MESSAGE_TAG',
              default_dimension_value: 'transactional',
            },
          ],
        },
      },
    });
  });

  test('given enabled false, when synthesized, then the destination is disabled', () => {
    expect(destination({ enabled: false }).event_destination.enabled).toBe(false);
  });

  test('given both spellings and repeats, when synthesized, then event types are the v2 enum, deduplicated, in first-written order', () => {
    const synthesized = destination({
      eventTypes: ['renderingFailure', 'BOUNCE', 'bounce', 'deliveryDelay', 'RENDERING_FAILURE', 'subscription'],
    });
    expect(synthesized.event_destination.matching_event_types).toEqual([
      'RENDERING_FAILURE',
      'BOUNCE',
      'DELIVERY_DELAY',
      'SUBSCRIPTION',
    ]);
  });

  test('all ten event types are accepted in both spellings', () => {
    const v1 = [
      'send',
      'reject',
      'bounce',
      'complaint',
      'delivery',
      'open',
      'click',
      'renderingFailure',
      'deliveryDelay',
      'subscription',
    ] as const;
    expect(destination({ eventTypes: [...v1] }).event_destination.matching_event_types).toEqual(
      Object.values(EmailSendingEvent),
    );
    expect(
      destination({ eventTypes: Object.values(EmailSendingEvent) }).event_destination.matching_event_types,
    ).toEqual(Object.values(EmailSendingEvent));
  });

  test('given each value source in config spelling, when synthesized, then the v2 enum is used and order is kept', () => {
    const synthesized = destination({
      dimensions: [
        { name: 'campaign', source: 'messageTag', defaultValue: 'none' },
        { name: 'X-Campaign', source: 'emailHeader', defaultValue: 'none' },
        { name: 'link', source: 'linkTag', defaultValue: 'none' },
        Dimension.emailHeader('X-Team', 'ops'),
        Dimension.linkTag('button', 'none'),
      ],
    });
    expect(
      synthesized.event_destination.cloud_watch_destination.dimension_configuration.map(
        (dimension) => `${dimension.dimension_name}:${dimension.dimension_value_source}`,
      ),
    ).toEqual([
      'campaign:MESSAGE_TAG',
      'X-Campaign:EMAIL_HEADER',
      'link:LINK_TAG',
      'X-Team:EMAIL_HEADER',
      'button:LINK_TAG',
    ]);
    expect(Dimension.linkTag('a', 'b').source).toBe(CloudWatchDimensionSource.LINK_TAG);
  });

  test('given no event types, then it is refused: a destination that matches nothing publishes nothing', () => {
    expect(constructionError({ eventTypes: [] })).toContain('eventTypes: at least one event type is required');
  });

  test('given a misspelt event type, then it is refused with a suggestion', () => {
    expect(constructionError({ eventTypes: ['bounces' as EventTypeName] })).toContain(
      'eventTypes[0]: "bounces" is not an SES event type: use one of send, reject, bounce, complaint, delivery, open, click, renderingFailure, deliveryDelay, subscription (or the v2 spelling, such as RENDERING_FAILURE). Did you mean "bounce"?',
    );
    expect(constructionError({ eventTypes: ['DELIVERY_DELAYED' as EventTypeName] })).toContain(
      'Did you mean "DELIVERY_DELAY"?',
    );
  });

  test('given ten dimensions, it is accepted; given eleven, it is refused', () => {
    const dimensions = (count: number) =>
      Array.from({ length: count }, (_, index) => Dimension.messageTag(`d${index}`, 'none'));
    expect(
      destination({ dimensions: dimensions(10) }).event_destination.cloud_watch_destination.dimension_configuration,
    ).toHaveLength(10);
    expect(constructionError({ dimensions: dimensions(11) })).toContain(
      'dimensions: 11 dimensions declared, but a CloudWatch destination takes at most 10',
    );
  });

  test('given no dimension, then it is refused', () => {
    expect(constructionError({ dimensions: [] })).toContain('a CloudWatch destination needs at least one dimension');
  });

  test('given the same dimension twice, then the repeat is refused', () => {
    expect(
      constructionError({ dimensions: [Dimension.messageTag('campaign', 'a'), Dimension.messageTag('campaign', 'b')] }),
    ).toContain(
      'dimensions[1].name: dimension "campaign" is declared twice in destination "metrics" (first at index 0)',
    );
  });

  test('a bad destination name is refused with a fix', () => {
    expect(() =>
      synth((scope) =>
        new ConfigurationSet(scope, 'set', { name: 'transactional' }).addCloudWatchDestination({
          name: 'my metrics',
          eventTypes: ['send'],
          dimensions: [Dimension.messageTag('campaign', 'none')],
        }),
      ),
    ).toThrow(
      'name: "my metrics" is not a valid event destination name: use 1 to 64 letters, digits, "_" and "-" (" " is not allowed). Did you mean "my-metrics"?',
    );
  });
});
