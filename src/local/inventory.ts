/**
 * What a stack's state holds, in SES terms: configuration sets, their destinations, event types and dimensions.
 */
import { TerraformState } from '../terraform/stack-workspace';

export interface DestinationInventory {
  readonly name: string;
  readonly enabled: boolean;
  readonly eventTypes: string[];
  readonly dimensions: { name: string; source: string; defaultValue: string }[];
}

export interface SetInventory {
  readonly name: string;
  readonly sendingEnabled: boolean;
  readonly destinations: DestinationInventory[];
}

type Values = Record<string, unknown>;
const first = (value: unknown): Values => ((value as Values[] | undefined)?.[0] ?? {}) as Values;

export function inventoryOf(state: TerraformState): SetInventory[] {
  const resources = state.values?.root_module?.resources ?? [];
  const sets = new Map<string, SetInventory>();
  for (const { type, values } of resources)
    if (type === 'aws_sesv2_configuration_set') {
      const name = String(values.configuration_set_name);
      sets.set(name, {
        name,
        sendingEnabled: first(values.sending_options).sending_enabled !== false,
        destinations: [],
      });
    }
  for (const { type, values } of resources) {
    if (type !== 'aws_sesv2_configuration_set_event_destination') continue;
    const destination = first(values.event_destination);
    const dimensions = (first(destination.cloud_watch_destination).dimension_configuration ?? []) as Values[];
    sets.get(String(values.configuration_set_name))?.destinations.push({
      name: String(values.event_destination_name),
      enabled: destination.enabled === true,
      eventTypes: [...((destination.matching_event_types ?? []) as string[])].sort(),
      dimensions: dimensions.map((dimension) => ({
        name: String(dimension.dimension_name),
        source: String(dimension.dimension_value_source),
        defaultValue: String(dimension.default_dimension_value),
      })),
    });
  }
  return [...sets.values()];
}

/** Indented lines for a terminal. */
export function describeInventory(sets: readonly SetInventory[]): string[] {
  return sets.flatMap((set) => [
    `    ${set.name} (sending ${set.sendingEnabled ? 'enabled' : 'disabled'})`,
    ...set.destinations.map(
      (destination) =>
        `      ${destination.name} [${destination.enabled ? 'enabled' : 'disabled'}] events: ${destination.eventTypes.join(', ')}; dimensions: ${destination.dimensions
          .map((dimension) => `${dimension.name} (${dimension.source}, default ${dimension.defaultValue})`)
          .join(', ')}`,
    ),
  ]);
}
