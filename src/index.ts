/** What TypeScript environment files and other CDKTF apps import. */
export * from '../modules';
export { defineEnvironment } from './environment/schema';
export type { Environment, EnvironmentDefinition } from './environment/schema';
export { loadEnvironments, environmentsDir } from './fleet/loader';
export type { LoadedEnvironment, LoadResult } from './fleet/loader';
export { SesEnvironmentStack } from './stack';
export { addEnvironmentStacks, synthesize } from './app';
