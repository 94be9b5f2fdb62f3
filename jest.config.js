/** Unit tests run on synthesized JSON only; end-to-end tests run against the embedded emulator. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
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
