/** Amounts of money as the cost model rounds them (src/format.ts writes them). */

/** Rounded to the cent. */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** A part's share of an account-wide amount, in proportion to what it counts (0 of an empty whole). */
export const share = (accountUsd: number, part: number, whole: number): number =>
  whole === 0 ? 0 : (accountUsd * part) / whole;
