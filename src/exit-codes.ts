/** sesform's exit codes, for every command (README, "Commands"). */
export const EXIT = {
  /** Success, nothing left to change. */
  ok: 0,
  /** An error, or invalid input. */
  error: 1,
  /** Changes or drift present, or left unapplied. */
  changes: 2,
  /** Refused by a guardrail: a budget, destroy protection, a plan that is not the reviewed one. */
  guardrail: 3,
  /** Stopped by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C). */
  interrupted: 130,
} as const;
