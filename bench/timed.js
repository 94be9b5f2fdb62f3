'use strict';
/** Running a benchmark's commands: asynchronously, so that an emulator's output keeps flowing meanwhile. */
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Runs a command in the project folder and times it; rejects on an exit code outside `okCodes`. */
function timed(label, command, args, env, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!okCodes.includes(code))
        return reject(new Error(`${label}: ${command} ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`));
      process.stderr.write(`${label}: ${seconds.toFixed(1)} s\n`);
      resolve({ seconds, stdout, stderr });
    });
  });
}

module.exports = { timed };
