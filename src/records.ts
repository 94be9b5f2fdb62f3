/**
 * Reading back a file sesform wrote (a record, a report, a manifest): parsed as JSON and checked
 * against its zod schema, since a pull request, a CI artifact or another user of the machine may have
 * written it. A malformed file is refused with its path, the first field that is wrong and the rule.
 */
import type { z } from 'zod';

/**
 * Where a value fails its schema, for the message: "stacks[0].outcome: Invalid option ...". A key is
 * the file's own text: one that is not a plain name is shown as `[…]`, never as written.
 */
function firstIssue(error: z.ZodError): string {
  const [issue] = error.issues;
  const segment = (key: PropertyKey) =>
    typeof key === 'number' ? `[${key}]` : /^[A-Za-z0-9_-]{1,64}$/.test(String(key)) ? `.${String(key)}` : '[…]';
  const where = issue.path.map(segment).join('');
  return `${where.replace(/^\./, '') || '(the whole file)'}: ${issue.message}`;
}

/** `text` parsed as JSON and checked against `schema`; throws naming `source`, the field and the rule broken. */
export function parseRecord<T>(schema: z.ZodType, text: string, source: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message}).`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${source}: not ${what}. ${firstIssue(result.error)}.`);
  return result.data as T;
}
