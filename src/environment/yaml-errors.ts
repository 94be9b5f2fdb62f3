/**
 * A YAML syntax error as a person fixes it: at the offending token (the tab, the key out of line, the
 * unclosed quote or bracket), not where the parser gave up, and for the common mistakes (tabs,
 * indentation, a list item without its "-", a missing ":", a key written twice) what to do.
 */
import type { LineCounter, YAMLError } from 'yaml';

export interface YamlProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

interface Line {
  readonly number: number;
  readonly text: string;
  /** Leading spaces; -1 for a blank or comment-only line. */
  readonly indent: number;
}

function linesOf(text: string): Line[] {
  return text.split('\n').map((raw, index) => {
    const text = raw.replace(/\r$/, '');
    const trimmed = text.trimStart();
    return {
      number: index + 1,
      text,
      indent: trimmed === '' || trimmed.startsWith('#') ? -1 : text.length - trimmed.length,
    };
  });
}

/** The key a line starts with ("- name: x" -> name), if it has one. */
function keyOf(line: Line): string | undefined {
  return /^\s*(?:-\s+)?([^\s:#"'][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)/.exec(line.text)?.[1];
}

/** The content line just above `at` (1-based). */
function previousOf(lines: readonly Line[], at: number): Line | undefined {
  for (let index = at - 2; index >= 0; index--) if (lines[index].indent >= 0) return lines[index];
  return undefined;
}

const at = (line: Line, column: number, message: string): YamlProblem => ({ message, line: line.number, column });

/** A line's text as a message quotes it: trimmed, and cut (a file may be one long line). */
const quoted = (text: string): string => {
  const trimmed = text.trim();
  return trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed;
};

/** The first of the parser's errors, located at its token and explained. */
export function yamlProblem(text: string, errors: readonly YAMLError[], lineCounter: LineCounter): YamlProblem {
  const lines = linesOf(text);
  // A tab anywhere in an indentation is the cause of whatever the parser says after it.
  const tabbed = lines.find((line) => /^ *\t/.test(line.text));
  if (tabbed !== undefined)
    return at(
      tabbed,
      tabbed.text.indexOf('\t') + 1,
      'malformed YAML: a tab indents this line; YAML indents with spaces only: replace the tab with spaces, as many as the lines it belongs with.',
    );
  const [first] = errors;
  const position = lineCounter.linePos(first.pos[0]);
  const line = lines[position.line - 1] ?? lines[lines.length - 1];
  const fallback = at(line, position.col, `malformed YAML: ${first.message.split('\n')[0]}`);
  switch (first.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      if (!/:(\s|$)/.test(line.text) && line.indent >= 0)
        return at(
          line,
          line.indent + 1,
          `malformed YAML: "${quoted(line.text)}" has no ":" after its key: write "key: value", with a space after the colon.`,
        );
      // A key indented under one that already has a value: the next more-indented line.
      const next = lines.slice(line.number).find((candidate) => candidate.indent >= 0);
      if (next !== undefined && next.indent > line.indent) {
        const key = quoted(keyOf(line) ?? line.text);
        return at(
          next,
          next.indent + 1,
          `malformed YAML: this line is indented under "${key}" (line ${line.number}), which already has a value: indent it like "${key}" (${line.indent} spaces) if it is a field of its own, or give "${key}" no value to nest fields under it.`,
        );
      }
      return fallback;
    }
    case 'BAD_INDENT': {
      if (first.message.startsWith('Flow sequence') || first.message.startsWith('Flow map')) {
        const [open, close] = first.message.startsWith('Flow sequence') ? ['[', ']'] : ['{', '}'];
        const opened = [...lines.slice(0, line.number)]
          .reverse()
          .find((candidate) => candidate.text.includes(open) && !candidate.text.includes(close));
        if (opened !== undefined)
          return at(
            opened,
            opened.text.lastIndexOf(open) + 1,
            `malformed YAML: the "${open}" opened here is not closed: end it with "${close}" on the same line.`,
          );
        return fallback;
      }
      if (line.indent < 0) return fallback;
      const key = quoted(keyOf(line) ?? line.text);
      const previous = previousOf(lines, line.number);
      // Items of a list at this indentation: the line was meant as a new item.
      if (
        previous !== undefined &&
        lines.some(
          (candidate) =>
            candidate.number < line.number && candidate.indent === line.indent && /^\s*- /.test(candidate.text),
        )
      )
        return at(
          line,
          line.indent + 1,
          `malformed YAML: "${key}" is at the indentation of the list items above, without their "-": begin it with "- " to start a new item, or indent it like the fields of the item it belongs to.`,
        );
      // Where the fields of the line above start ("- name: d" has its fields 2 further in than its "-").
      const above = previous === undefined ? undefined : previous.indent + (/^\s*- /.test(previous.text) ? 2 : 0);
      return at(
        line,
        line.indent + 1,
        `malformed YAML: "${key}" is indented by ${line.indent} space(s), which lines up with no field around it${above !== undefined ? ` (the fields of line ${previous!.number} are indented by ${above})` : ''}: indent it exactly like the fields it belongs with.`,
      );
    }
    case 'MISSING_CHAR': {
      const quote = /Missing closing (["'])/.exec(first.message)?.[1];
      if (quote === undefined) return fallback;
      const opened = [...lines.slice(0, line.number)]
        .reverse()
        .find((candidate) => (candidate.text.split(quote).length - 1) % 2 === 1);
      if (opened === undefined) return fallback;
      return at(
        opened,
        opened.text.indexOf(quote) + 1,
        `malformed YAML: the ${quote === '"' ? 'double' : 'single'} quote opened here is not closed: add the closing ${quote} on the same line.`,
      );
    }
    case 'DUPLICATE_KEY': {
      // The parser's position is the second key's own token (in YAML and in one-line JSON alike).
      const token = /^("[^"]*"|'[^']*'|[^:,}\s]+)/.exec(text.slice(first.pos[0]))?.[1];
      if (token === undefined) return fallback;
      const key = quoted(token.replace(/^["']|["']$/g, ''));
      const earlier = lines.find(
        (candidate) => candidate.number < line.number && candidate.indent === line.indent && keyOf(candidate) === key,
      );
      return at(
        line,
        position.col,
        `malformed YAML: "${key}" is written twice in the same mapping${earlier ? ` (first at line ${earlier.number})` : ''}: keep one of them.`,
      );
    }
    default:
      return fallback;
  }
}
