import { CloudwatchDashboard } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import {
  REPUTATION_DIMENSION,
  REPUTATION_METRICS,
  ReputationRate,
  SES_REVIEW_RATES,
  formatPercent,
} from './alarm-rules';
import { EmailSendingEvent, EventTypeName, METRIC_NAMES, SES_NAMESPACE } from './ses-enums';
import { normaliseEventTypes, quote } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** A destination as the dashboard draws it. */
export interface DashboardDestination {
  readonly name: string;
  /** A disabled destination publishes nothing and gets no widget. @default true */
  readonly enabled?: boolean;
  readonly eventTypes: readonly EventTypeName[];
  readonly dimensions: readonly { readonly name: string }[];
}

export interface DashboardConfigurationSet {
  readonly name: string;
  /** Whether SES publishes the set's reputation rates (drawn only then). */
  readonly reputationMetrics: boolean;
  /**
   * The set's reputation alarm thresholds, drawn as lines beside SES's review rates.
   * @default - SES's review rates only
   */
  readonly reputationThresholds?: Partial<Record<ReputationRate, number>>;
  readonly destinations: readonly DashboardDestination[];
}

export interface SesDashboardProps {
  /** 1 to 255 letters, digits, "_" and "-"; unique in the account (dashboards are not regional). */
  readonly dashboardName: string;
  /** The region whose metrics the widgets show. */
  readonly region: string;
  readonly configurationSets: readonly DashboardConfigurationSet[];
  /**
   * The period of the event graphs, in seconds.
   * @default 300
   */
  readonly periodSeconds?: number;
}

/** The widget JSON of CloudWatch's dashboard body (only the fields this dashboard writes). */
export interface DashboardWidget {
  readonly type: 'text' | 'metric';
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** The events most people look for first; the rest follow in the destination's order. */
const FIRST_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
];

/** The SEARCH text of one metric of a destination: exactly its dimension names, so only its series. */
export function destinationSearch(
  setName: string,
  destination: DashboardDestination,
  eventType: EmailSendingEvent,
): string {
  const names = destination.dimensions.map((dimension) => dimension.name);
  const schema = [SES_NAMESPACE, ...names].map((part) => (/^[\w/.-]+$/.test(part) ? part : `"${part}"`)).join(',');
  // A destination that carries the set's own name as a dimension is told apart from other sets' by it.
  const ownSet = names.includes(REPUTATION_DIMENSION) ? ` "${REPUTATION_DIMENSION}"="${setName}"` : '';
  return `{${schema}} MetricName="${METRIC_NAMES[eventType]}"${ownSet}`;
}

/**
 * A CloudWatch dashboard of SES configuration sets, over `aws_cloudwatch_dashboard`: per set, the
 * events of each destination on the series that destination publishes (a SEARCH over exactly its
 * dimensions), and the reputation rates with the alarm thresholds and SES's review rates drawn as lines.
 */
export class SesDashboard extends Construct {
  /** The widgets for `props`: what the dashboard body holds. */
  static widgetsOf(props: SesDashboardProps): DashboardWidget[] {
    const period = props.periodSeconds ?? 300;
    return props.configurationSets.flatMap((set) => {
      const header: DashboardWidget = {
        type: 'text',
        width: 24,
        height: 1,
        properties: { markdown: `## Configuration set ${set.name}` },
      };
      const destinations = set.destinations
        .filter((destination) => destination.enabled ?? true)
        .map((destination): DashboardWidget => {
          const types = normaliseEventTypes(destination.eventTypes);
          const ordered = [
            ...FIRST_EVENTS.filter((type) => types.includes(type)),
            ...types.filter((type) => !FIRST_EVENTS.includes(type)),
          ];
          return {
            type: 'metric',
            width: 12,
            height: 6,
            properties: {
              title: `${set.name}/${destination.name}: events per ${period / 60} min`,
              region: props.region,
              view: 'timeSeries',
              stat: 'Sum',
              period,
              metrics: ordered.map((type, index) => [
                {
                  expression: `SEARCH('${destinationSearch(set.name, destination, type)}', 'Sum', ${period})`,
                  id: `e${index}`,
                  label: METRIC_NAMES[type],
                },
              ]),
            },
          };
        });
      return [header, ...destinations, ...(set.reputationMetrics ? [SesDashboard.reputationWidget(props, set)] : [])];
    });
  }

  /** The dashboard body as CloudWatch takes it. */
  static bodyOf(props: SesDashboardProps): string {
    return JSON.stringify({ widgets: SesDashboard.widgetsOf(props) });
  }

  private static reputationWidget(props: SesDashboardProps, set: DashboardConfigurationSet): DashboardWidget {
    const rates = Object.keys(REPUTATION_METRICS) as ReputationRate[];
    const word = (rate: ReputationRate) => (rate === 'bounceRate' ? 'bounce' : 'complaint');
    const lines = rates.flatMap((rate) => [
      ...(set.reputationThresholds?.[rate] === undefined
        ? []
        : [
            {
              label: `${word(rate)} alarm ${formatPercent(set.reputationThresholds[rate])}`,
              value: set.reputationThresholds[rate] * 100,
            },
          ]),
      {
        label: `SES review ${word(rate)} ${formatPercent(SES_REVIEW_RATES[rate])}`,
        value: SES_REVIEW_RATES[rate] * 100,
        color: '#d13212',
      },
    ]);
    return {
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: `${set.name}: reputation (%)`,
        region: props.region,
        view: 'timeSeries',
        period: 3600,
        stat: 'Maximum',
        // SES publishes fractions (0 to 1); the graph shows percentages, like the thresholds.
        metrics: [
          ...rates.map((rate, index) => [
            SES_NAMESPACE,
            REPUTATION_METRICS[rate],
            REPUTATION_DIMENSION,
            set.name,
            { id: `r${index}`, visible: false },
          ]),
          ...rates.map((rate, index) => [
            { expression: `100 * r${index}`, id: `p${index}`, label: `${word(rate)} rate %` },
          ]),
        ],
        annotations: { horizontal: lines },
        yAxis: { left: { min: 0 } },
      },
    };
  }

  readonly resource: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: SesDashboardProps) {
    super(scope, id);
    SesValidationError.throwIfAny(
      this.node.path,
      DASHBOARD_NAME.test(props.dashboardName)
        ? []
        : [
            {
              path: ['dashboardName'],
              message: `${quote(props.dashboardName)} is not a dashboard name: use 1 to 255 letters, digits, "_" and "-".`,
            },
          ],
    );
    this.resource = new CloudwatchDashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      dashboardBody: SesDashboard.bodyOf(props),
    });
  }
}
