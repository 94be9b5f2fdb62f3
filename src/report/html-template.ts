/**
 * HTML built so that an unescaped value cannot be written by accident: every value interpolated into
 * an html`...` template is escaped for content and attribute values alike, unless it is markup made
 * by another html`...` template. The one way to write markup from a string is trustedMarkup(), named
 * so that a reader sees each place where it happens (the page's own style sheet and script).
 */

/** Markup: what html`...` returns. Only html`...` and trustedMarkup() make it. */
export class SafeHtml {
  private constructor(readonly markup: string) {}

  /** @internal for html`...` and trustedMarkup() only. */
  static of(markup: string): SafeHtml {
    return new SafeHtml(markup);
  }

  toString(): string {
    return this.markup;
  }
}

/** What a template takes: markup, text and numbers (escaped), lists of them, nothing (absent). */
export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

/** Text for HTML content and attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose every interpolated value is escaped, unless it is markup already. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  return SafeHtml.of(
    strings.reduce((out, text, index) => out + text + (index < values.length ? render(values[index]) : ''), ''),
  );
}

/** Markup written by sesform's own code, never from a report: the page's style sheet and script. */
export function trustedMarkup(markup: string): SafeHtml {
  return SafeHtml.of(markup);
}
