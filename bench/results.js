'use strict';
/**
 * bench/results.md holds one section per benchmark; each script rewrites its own section only.
 */
const fs = require('node:fs');
const path = require('node:path');

const FILE = path.join(__dirname, 'results.md');

function writeSection(name, markdown) {
  const [start, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '# Benchmarks\n';
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, block) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(FILE, next.endsWith('\n') ? next : `${next}\n`);
}

/** The targets of a benchmark as a Markdown table: what, the figure, pass or FAIL. */
function targetsTable(checks) {
  const rows = checks.map(([what, ok, value]) => `| ${what} | ${value} | ${ok ? 'pass' : '**FAIL**'} |`);
  return ['| target | result | |', '|---|---|---|', ...rows].join('\n');
}

/**
 * The goals at a glance: every target row of every section, under its section's title, kept at the top
 * of the file and rebuilt whenever a section is written (so it never disagrees with the sections).
 */
function writeGoals() {
  const text = fs.readFileSync(FILE, 'utf8');
  const rows = [];
  for (const [, name, body] of text.matchAll(/<!-- ([a-z-]+) -->\n([\s\S]*?)<!-- \/\1 -->/g)) {
    if (name === 'goals') continue;
    const title = /^## (.*)$/m.exec(body)?.[1] ?? name;
    const date = /on (\d{4}-\d{2}-\d{2})/.exec(body)?.[1] ?? '';
    const table = body.slice(body.indexOf('| target | result | |'));
    for (const line of table.split('\n').slice(2)) {
      if (!line.startsWith('|')) break;
      rows.push(`| ${title} (${date}) ${line}`);
    }
  }
  const goals = `## Goals at a glance

Every target of the sections below, as each benchmark last measured it (the date is its run's).

| benchmark | target | result | |
|---|---|---|---|
${rows.join('\n')}`;
  const [start, end] = ['<!-- goals -->', '<!-- /goals -->'];
  const block = `${start}\n${goals}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = pattern.test(text)
    ? text.replace(pattern, block)
    : text.replace('# Benchmarks\n', `# Benchmarks\n\n${block}\n`);
  fs.writeFileSync(FILE, next);
}

/** Writes the benchmark's section, prints it, and fails the process when a target is missed. */
function publish(name, report, checks) {
  writeSection(name, report);
  writeGoals();
  process.stdout.write(report);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
}

module.exports = { writeSection, writeGoals, targetsTable, publish };
