/**
 * The AWS provider's import IDs of SES resources, without the constructs (and cdktf) loaded: the fleet
 * model computes them for every stack, `validate` and `cost` included.
 */

/** A configuration set's import ID: its name. */
export function configurationSetImportId(configurationSetName: string): string {
  return configurationSetName;
}

/** An event destination's import ID: `SET_NAME|DESTINATION_NAME`. */
export function eventDestinationImportId(configurationSetName: string, eventDestinationName: string): string {
  return `${configurationSetName}|${eventDestinationName}`;
}
