// One jest run covers the whole workspace: unit specs live beside the code (*.spec.ts),
// integration specs (*.int-spec.ts) talk to the real PostgreSQL and Redis.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const shared = {
  rootDir: __dirname,
  // The node environment with the host's typed arrays (native addons: see the file).
  testEnvironment: '<rootDir>/tools/jest/node-environment.js',
  // ENGRAM_DATA_DIR for the specs that read the real ModelNet10 (see the file)
  setupFiles: ['<rootDir>/tools/jest/data-dir.js'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // A library's test helpers sit behind its `testing` entry point, mapped before the main one.
  moduleNameMapper: {
    '^@engram/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing.ts',
    '^@engram/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/tmp/'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
    },
  ],
};
