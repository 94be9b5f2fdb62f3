/** Amounts of money as the cost model rounds them and as every report writes them. */

/** Rounded to the cent. */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** With thousands separators and two decimals: 3103.6 -> "3,103.60". */
export const formatUsd = (usd: number): string =>
  usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
