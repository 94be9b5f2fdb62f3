/**
 * Terraform failures as typed errors, recognised once here from Terraform's output, so the engine
 * decides by type (retry, report a lock, ask for a new plan) and never matches stderr text itself.
 */
import { TerraformResult, errorSummary } from './terraform';

/** A Terraform step that failed, with the stack and the step named. */
export class StackStepError extends Error {
  constructor(
    // Not `stack`: that would hide Error's own stack trace (test runners print it as the error).
    readonly stackName: string,
    readonly step: string,
    readonly result: TerraformResult,
  ) {
    const summary = errorSummary(result).trimEnd();
    super(`${stackName}: ${StackStepError.what(step, result)}${summary ? `:\n${summary}` : '.'}`);
    this.name = 'StackStepError';
  }

  /** How the step ended: its exit code, or the signal that killed it (which leaves no error text). */
  private static what(step: string, result: TerraformResult): string {
    if (result.signal === undefined) return `terraform ${step} failed (exit ${result.code})`;
    const lock = ['plan', 'apply', 'import', 'refresh'].includes(step)
      ? '; a killed terraform can leave its state lock behind, which the next run reports with the command that clears it'
      : '';
    return `terraform ${step} was killed by ${result.signal} (out of memory, or stopped from outside)${lock}`;
  }

  /** stderr and stdout together, for the recognisers. */
  get output(): string {
    return `${this.result.stderr}\n${this.result.stdout}`;
  }
}

/** The state is locked by another (or a killed) terraform. */
export class StateLockedError extends StackStepError {
  constructor(
    stackName: string,
    step: string,
    result: TerraformResult,
    readonly lock: {
      readonly id: string;
      readonly who?: string;
      readonly operation?: string;
      readonly created?: string;
    },
  ) {
    super(stackName, step, result);
    this.name = 'StateLockedError';
  }
}

/** A saved plan that no longer matches the state (something was applied since it was made). */
export class StalePlanError extends StackStepError {
  override name = 'StalePlanError';
}

/** `terraform import` of an object that does not exist. */
export class MissingRemoteObjectError extends StackStepError {
  override name = 'MissingRemoteObjectError';
}

/** Throttling or an AWS server error that outlasted the provider's own retries: worth trying again. */
export class TransientAwsError extends StackStepError {
  override name = 'TransientAwsError';

  /** The line of Terraform's error that names the transient cause. */
  get transientCause(): string {
    return (
      this.output
        .split('\n')
        .map((line) => line.replace(/^[│\s]+/, '').trim())
        .find((line) => TRANSIENT.test(line)) ?? 'a transient AWS error'
    );
  }
}

const TRANSIENT =
  /Throttling|TooManyRequests|Rate exceeded|RequestLimitExceeded|SlowDown|ServiceUnavailable|InternalFailure|InternalServerError|StatusCode: 5\d\d/i;
const LOCKED = /Error acquiring the state lock/;

/** The typed error for a failed step. */
export function stepError(stackName: string, step: string, result: TerraformResult): StackStepError {
  const output = `${result.stderr}\n${result.stdout}`;
  if (LOCKED.test(output)) {
    const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(output)?.[1]?.trim();
    const id = field('ID');
    if (id !== undefined)
      return new StateLockedError(stackName, step, result, {
        id,
        who: field('Who'),
        operation: field('Operation'),
        created: field('Created'),
      });
    return new StackStepError(stackName, step, result);
  }
  if (/Saved plan is stale/.test(output)) return new StalePlanError(stackName, step, result);
  if (/non-existent remote object/i.test(output)) return new MissingRemoteObjectError(stackName, step, result);
  if (TRANSIENT.test(output)) return new TransientAwsError(stackName, step, result);
  return new StackStepError(stackName, step, result);
}
