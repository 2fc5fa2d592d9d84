// One jest configuration, four projects run as separate phases by `npm test`
// (tools/jest/phases.js):
// - unit: specs beside the code (*.spec.ts), seconds each;
// - science: the specs that load trained models, datasets or onnxruntime and take long (listed
//   below, chosen by measured duration);
// - integration: *.int-spec.ts against the real PostgreSQL and Redis;
// - e2e: e2e/**/*.e2e-spec.ts, tests that boot several apps (the API, workers, the dashboard in a
//   browser), run in band.
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

// The science phase's specs (see the file).
const scienceSpecs = require('./tools/jest/science-specs');
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'],
      testPathIgnorePatterns: [
        ...shared.testPathIgnorePatterns,
        ...scienceSpecs.map((spec) => `<rootDir>/${escape(spec)}$`),
      ],
    },
    {
      ...shared,
      displayName: 'science',
      testMatch: scienceSpecs.map((spec) => `<rootDir>/${spec}`),
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
