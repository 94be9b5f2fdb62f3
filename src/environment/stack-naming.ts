/** Names that tie an environment and region to its stack and its state; they must never collide. */

/** The stack of one environment in one region: `<env>-<region>`. */
export function stackName(environmentName: string, region: string): string {
  return `${environmentName}-${region}`;
}

/** The state object key: unique per environment and region under the environment's prefix. */
export function stateKey(keyPrefix: string, environmentName: string, region: string): string {
  return `${keyPrefix}/${environmentName}/${region}/terraform.tfstate`;
}
