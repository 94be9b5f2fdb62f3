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
