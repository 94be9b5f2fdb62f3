/**
 * README says what the code does: every SESFORM_* variable the configuration module reads, and each
 * command's options as its option table gives them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandOptions } from '../../src/cli';
import { SESFORM_VARIABLES } from '../../src/config';
import { PROJECT_ROOT } from '../helpers/synth';

const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

test('README lists every SESFORM_* variable sesform reads, and no other', () => {
  const documented = [...readme.matchAll(/^\| `(SESFORM_[A-Z_]+)` +\|/gm)].map((match) => match[1]).sort();
  expect(documented).toEqual(Object.values(SESFORM_VARIABLES).sort());
});

test("README's table of options per command is each command's option table", () => {
  const rows = [...readme.matchAll(/^\| `([a-z-]+)` +\| (.+?) +\|$/gm)];
  const table = new Map(rows.map((row) => [row[1], row[2]]));
  const optionsIn = (cell: string): string[] => {
    const like = /^as `([a-z-]+)`/.exec(cell);
    const own = [...cell.matchAll(/`--([a-z-]+)`/g)].map((match) => match[1]);
    return like ? [...optionsIn(table.get(like[1])!), ...own] : own;
  };
  for (const command of [
    'plan',
    'apply',
    'drift',
    'rollout',
    'report',
    'unlock',
    'emulator',
    'validate',
    'cost',
    'synth',
    'adopt',
    'export',
    'iam-policy',
    'bootstrap',
  ]) {
    expect(table.has(command)).toBe(true);
    expect([command, ...optionsIn(table.get(command)!).sort()]).toEqual([
      command,
      ...[...commandOptions(command)].sort(),
    ]);
  }
});
