/** Unit tests run on synthesized JSON only; end-to-end tests run against the embedded emulator. */
const os = require('node:os');

const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // Two files at a time at least: an end-to-end file spends much of its time waiting on terraform and
  // the emulator, so two share a 2-core machine well (measured: bench/results.md, The test suite).
  maxWorkers: Math.max(2, Math.floor(os.availableParallelism() / 2)),
  // Jest reports per file; the end-to-end files take minutes, so each of their tests is reported as it ends.
  reporters: ['default', '<rootDir>/__tests__/helpers/progress-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/__tests__/setup.js'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
      setupFiles: ['<rootDir>/bin/quiet-sdk-warning.js'],
      setupFilesAfterEnv: ['<rootDir>/__tests__/e2e-setup.js'],
      transform,
    },
  ],
};
