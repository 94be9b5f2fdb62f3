/**
 * What sesform runs on: the Node versions it declares, the build it runs from (and the sources when
 * the build is missing or older), and the AWS SDK's Node 20 notice dropped on Node 20 only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, writeFiles } from '../helpers/synth';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { builtCli } = require('../../bin/built-cli.js') as { builtCli: (root: string) => string | undefined };

test('the package declares Node 20 and every later version', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
    scripts: Record<string, string>;
  };
  expect(manifest.engines.node).toBe('>=20');
  expect(manifest.scripts.prepare).toBe('node scripts/build.js');
});

test('the CLI runs from the build while it is at least as new as every source, else from the sources', () => {
  const { dir, cleanup } = writeFiles({
    'src/cli.ts': 'export {};',
    'src/emulator/moto_ses.py': '',
    'modules/index.ts': 'export {};',
    'dist/src/cli.js': '',
  });
  try {
    const touch = (file: string, seconds: number) => {
      const when = new Date(Date.UTC(2026, 10, 28, 0, 0, seconds));
      fs.utimesSync(path.join(dir, file), when, when);
    };
    for (const file of ['src/cli.ts', 'src/emulator/moto_ses.py', 'modules/index.ts']) touch(file, 10);
    expect(builtCli(dir)).toBeUndefined(); // no build stamp: never built
    fs.writeFileSync(path.join(dir, 'dist', 'BUILD'), '');
    touch('dist/BUILD', 20);
    expect(builtCli(dir)).toBe(path.join(dir, 'dist', 'src', 'cli.js'));
    touch('modules/index.ts', 30); // a construct edited after the build
    expect(builtCli(dir)).toBeUndefined();
    touch('modules/index.ts', 10);
    touch('src/emulator/moto_ses.py', 30); // the emulator's Python is part of the build too
    expect(builtCli(dir)).toBeUndefined();
  } finally {
    cleanup();
  }
});

test("the AWS SDK's Node 22 notice is dropped on Node 20 only; other warnings always show", () => {
  const script = `process.emitWarning('NodeVersionSupportWarning: upgrade to Node 22'); process.emitWarning('another warning');`;
  const run = spawnSync(
    process.execPath,
    ['--require', path.join(PROJECT_ROOT, 'bin', 'quiet-sdk-warning.js'), '-e', script],
    {
      encoding: 'utf8',
    },
  );
  expect(run.status).toBe(0);
  expect(run.stderr).toContain('another warning');
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  else expect(run.stderr).toContain('NodeVersionSupportWarning: upgrade to Node 22');
});
