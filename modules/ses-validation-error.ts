import { RuleViolation } from './ses-rules';

/** Formats a violation path as `dimensions[2].name`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((part, index) =>
      typeof part === 'number'
        ? `[${part}]`
        : /^[A-Za-z_$][\w$]*$/.test(part)
          ? `${index === 0 ? '' : '.'}${part}`
          : `[${JSON.stringify(part)}]`,
    )
    .join('');
}

/** Thrown by a construct whose props break SES rules; lists every problem, not only the first. */
export class SesValidationError extends Error {
  constructor(
    readonly constructPath: string,
    readonly violations: readonly RuleViolation[],
  ) {
    const lines = violations.map((found) => {
      const where = formatPath(found.path);
      return `  - ${where === '' ? '' : `${where}: `}${found.message}`;
    });
    super(`${constructPath}: ${violations.length} SES rule violation(s):\n${lines.join('\n')}`);
    this.name = 'SesValidationError';
  }

  /** Throws when there is anything to report. */
  static throwIfAny(constructPath: string, violations: readonly RuleViolation[]): void {
    if (violations.length > 0) throw new SesValidationError(constructPath, violations);
  }
}
