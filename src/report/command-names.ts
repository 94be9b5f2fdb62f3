/** The commands that run the plan/apply engine: the one list the CLI, the engine and its reports share. */
export const ENGINE_COMMANDS = ['plan', 'apply', 'drift', 'rollout'] as const;

export type EngineCommandName = (typeof ENGINE_COMMANDS)[number];

export const isEngineCommand = (name: unknown): name is EngineCommandName =>
  (ENGINE_COMMANDS as readonly unknown[]).includes(name);
