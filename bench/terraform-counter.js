'use strict';
/**
 * Counts terraform invocations per subcommand for a benchmark run: a wrapper named `terraform` (first
 * on the PATH, and SESFORM_TERRAFORM) logs each subcommand to the run's own file, then executes the
 * real binary. Both contenders (sesform and the stock cdktf CLI) go through it.
 */
const fs = require('node:fs');
const path = require('node:path');

/** The real terraform: SESFORM_TERRAFORM, else the first `terraform` on the PATH. */
function realTerraform(env = process.env) {
  if (env.SESFORM_TERRAFORM) return path.resolve(env.SESFORM_TERRAFORM);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'terraform');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('no terraform on the PATH (set SESFORM_TERRAFORM)');
}

class TerraformCounter {
  /** Writes the wrapper into `dir`/bin; logs go to `dir`/counts. */
  constructor(dir) {
    this.bin = path.join(dir, 'bin');
    this.logs = path.join(dir, 'counts');
    fs.mkdirSync(this.bin, { recursive: true });
    fs.mkdirSync(this.logs, { recursive: true });
    this.wrapper = path.join(this.bin, 'terraform');
    const real = realTerraform();
    fs.writeFileSync(
      this.wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$1" >> "$SESFORM_BENCH_TERRAFORM_LOG"\nexec ${JSON.stringify(real)} "$@"\n`,
      { mode: 0o755 },
    );
  }

  /** The environment of a counted run named `label`. */
  env(label, env) {
    const log = path.join(this.logs, `${label.replace(/[^\w.-]+/g, '_')}.log`);
    fs.rmSync(log, { force: true });
    return {
      ...env,
      PATH: `${this.bin}${path.delimiter}${env.PATH ?? ''}`,
      SESFORM_TERRAFORM: this.wrapper,
      SESFORM_BENCH_TERRAFORM_LOG: log,
    };
  }

  /** Invocations by subcommand of the run named `label`, e.g. { init: 10, plan: 10 }. */
  counts(label) {
    const log = path.join(this.logs, `${label.replace(/[^\w.-]+/g, '_')}.log`);
    const counts = {};
    if (!fs.existsSync(log)) return counts;
    for (const line of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) counts[line] = (counts[line] ?? 0) + 1;
    return counts;
  }

  /** "10 plan, 4 show" */
  static text(counts) {
    const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) return 'none';
    const total = entries.reduce((sum, [, count]) => sum + count, 0);
    return `${total}: ${entries.map(([command, count]) => `${count} ${command}`).join(', ')}`;
  }
}

module.exports = { TerraformCounter };
