// One `npm test` runs every level: unit specs beside the code, workflow tests on the time-skipping
// server, integration tests on a real Postgres, and the end-to-end test through API, Temporal and SMTP.
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // d3-geo and its d3-array are ES modules, which Node 24 requires natively and Jest cannot: the UMD builds of the same releases (libs/overview/map.ts).
  moduleNameMapper: { '^d3-(geo|array)$': '<rootDir>/node_modules/d3-$1/dist/d3-$1.js' },
};
module.exports = {
  // A global option only (Jest ignores it per project): workflow, integration and e2e tests start real servers.
  testTimeout: 180_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps,activities,workflows}/**/*.spec.ts'] },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'], setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'] },
  ],
};
