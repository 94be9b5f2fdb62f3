/** Amounts of money as the cost model rounds them (src/format.ts writes them). */

/** Rounded to the cent. */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;
