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

/** Writes the benchmark's section, prints it, and fails the process when a target is missed. */
function publish(name, report, checks) {
  writeSection(name, report);
  process.stdout.write(report);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
}

module.exports = { writeSection, targetsTable, publish };
