/**
 * How every report writes numbers: counts, money and durations. One module, so that the terminal,
 * Markdown, JSON-derived and HTML reports and the cost messages cannot disagree on a figure's form.
 */

/** With thousands separators: 12345 -> "12,345". */
export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** With thousands separators and two decimals: 3103.6 -> "3,103.60". */
export const formatUsd = (usd: number): string =>
  usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** With the dollar sign, as charts and short lines write money: 1102.3 -> "$1,102.30". */
export const formatDollars = (usd: number): string => `$${formatUsd(usd)}`;

/** Seconds to a tenth: 12.44 -> "12.4 s". */
export const formatSeconds = (seconds: number): string => `${seconds.toFixed(1)} s`;

/** C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides: never text to show as it is. */
// eslint-disable-next-line no-control-regex -- finding them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL = new RegExp(CONTROL_CHARACTER.source, 'g');

const visible = (character: string) => {
  const code = character.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One line for a terminal: every control character (a newline or an escape sequence included) shown as `\xNN`. */
export function terminalLine(text: string): string {
  return text.replace(CONTROL, visible);
}
