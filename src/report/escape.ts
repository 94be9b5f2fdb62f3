/**
 * Values in text reports, escaped for where they are written: a terminal (control characters shown,
 * never sent) and Markdown (punctuation that would format, link or close a block shown literally;
 * code blocks fenced longer than any backtick run inside them). Report values may come from a file
 * anyone could have written (`sesform report FILE`), so the renderers escape every value they
 * interpolate by construction: `terminalLine` (src/format.ts) on every line printed, `markdown```…``` on every line
 * of Markdown outside a code block, `codeBlock` for blocks.
 */
import { terminalLine } from '../format';

/**
 * A value in a line of Markdown: what would format, link, open HTML or end a table cell is shown
 * literally (`<` as an entity, the rest backslash-escaped); controls shown. A value never starts a
 * line (newlines are shown as `\x0a`), so line-start syntax (headings, quotes, lists, fences) cannot occur.
 */
export function markdownText(value: unknown): string {
  return terminalLine(String(value))
    .replace(/[\\`*_[\]|~]/g, (character) => `\\${character}`)
    .replace(/</g, '&lt;');
}

/** A value the renderer wrote itself (Markdown markup): not escaped. */
export class TrustedMarkdown {
  constructor(readonly text: string) {}
}

export const trustedMarkdown = (text: string) => new TrustedMarkdown(text);

/** A line of Markdown whose interpolated values are escaped, unless the renderer marked them as its own markup. */
export function markdown(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((line, text, index) => {
    if (index === 0) return text;
    const value = values[index - 1];
    return `${line}${value instanceof TrustedMarkdown ? value.text : markdownText(value)}${text}`;
  });
}

/** A fenced code block: each line made safe for a terminal, the fence longer than any backtick run inside. */
export function codeBlock(language: string, lines: readonly string[]): string[] {
  const safe = lines.map(terminalLine);
  const longest = Math.max(
    2,
    ...safe.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))),
  );
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, ...safe, fence];
}
