/**
 * A jest reporter that prints each end-to-end test as it finishes, with its time, so `npm test` is
 * never silent for the minutes a long end-to-end file takes (jest's own reporter speaks per file).
 * Unit tests finish in milliseconds and are left to jest's summary.
 */
const path = require('node:path');

class ProgressReporter {
  onTestCaseResult(test, result) {
    if (!test.path.includes(`${path.sep}e2e${path.sep}`)) return;
    const file = path.basename(test.path);
    const mark = result.status === 'passed' ? 'ok' : result.status;
    const seconds = ((result.duration ?? 0) / 1000).toFixed(1);
    process.stderr.write(`  [e2e] ${file}: ${mark} ${result.fullName} (${seconds} s)\n`);
  }
}

module.exports = ProgressReporter;
