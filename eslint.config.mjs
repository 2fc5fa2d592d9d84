import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Packages the simulator libraries (tag scope:science) must never import: the science knows
// nothing of the platform.
const platformPackages = [
  '@nestjs/*',
  'bullmq',
  'ioredis',
  'typeorm',
  'pg',
  'express',
  'http',
  'https',
  'node:http',
  'node:https',
  'http2',
  'node:http2',
  'undici',
  'supertest',
  'axios',
];

// The Nx rule checks packages, not Node's built-in modules (node:http passed it): ESLint's own
// rule bans the same names in the science libraries, built-ins included.
const scienceLibs = [
  'contracts',
  'datasets',
  'energy',
  'engine-onnx',
  'evaluation',
  'hardware',
  'models',
  'reporting',
  'semantic-memory',
  'sweep-spec',
  'tensor',
].map((lib) => `libs/${lib}/**/*.ts`);

// Which of our projects each project may import, one line per project (its tag is `lib:<name>`,
// `app:<name>`, `tool:<name>` or `e2e`). Libraries list exactly the libraries they may use; the
// order of the layers (tools/architecture/layers.ts) agrees with it: a library only ever uses
// libraries of lower layers (tools/architecture/module-boundaries.spec.ts checks both).
// contracts, engine-onnx and reporting are the libraries the architecture pass adds: their rules
// hold as soon as they land.
const allowedDependencies = {
  // leaves: nothing of ours
  hardware: [],
  datasets: [],
  tensor: [],
  config: [],
  // what a pass costs (chip energy, digital baselines): operation counts and the profile
  energy: ['hardware'],
  // names, parameter descriptors, evaluation config/result types: the default profile at most
  contracts: ['hardware'],
  // names, parameter descriptors and defaults come from the contracts
  'sweep-spec': ['contracts'],
  models: ['tensor', 'datasets'],
  'semantic-memory': ['models', 'tensor', 'hardware', 'datasets'],
  evaluation: [
    'contracts',
    'models',
    'semantic-memory',
    'hardware',
    'energy',
    'datasets',
    'tensor',
  ],
  'engine-onnx': ['evaluation', 'contracts', 'models', 'hardware', 'tensor', 'datasets'],
  reporting: [
    'evaluation',
    'engine-onnx',
    'contracts',
    'hardware',
    'energy',
    'datasets',
    'models',
    'semantic-memory',
    'tensor',
  ],
  // platform libraries
  queue: ['config', 'contracts'],
  // hardware: its integration specs build real device parameters to store
  persistence: ['config', 'contracts', 'sweep-spec', 'hardware'],
  'api-client': ['contracts'],
};

const libTags = Object.keys(allowedDependencies).map((lib) => `lib:${lib}`);

const depConstraints = [
  ...Object.entries(allowedDependencies).map(([lib, deps]) => ({
    sourceTag: `lib:${lib}`,
    // an empty list: no project with a tag (all of ours have one)
    onlyDependOnLibsWithTags: deps.map((dep) => `lib:${dep}`),
  })),
  // the science never knows the platform (packages; built-ins: no-restricted-imports below)
  { sourceTag: 'scope:science', bannedExternalImports: platformPackages },
  // apps compose libraries, never another app; the dashboard runs in a browser and talks to the
  // API through its client only
  { sourceTag: 'app:api', onlyDependOnLibsWithTags: libTags },
  { sourceTag: 'app:worker', onlyDependOnLibsWithTags: libTags },
  { sourceTag: 'app:cli', onlyDependOnLibsWithTags: libTags },
  { sourceTag: 'app:dashboard', onlyDependOnLibsWithTags: ['lib:api-client', 'lib:contracts'] },
  // checks of the deployment files read the apps' configuration loaders
  { sourceTag: 'tool:deploy', onlyDependOnLibsWithTags: [...libTags, 'app:*'] },
  { sourceTag: 'tool:infra-tests', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'tool:architecture', onlyDependOnLibsWithTags: [] },
  // tests that boot several apps
  { sourceTag: 'e2e', onlyDependOnLibsWithTags: [...libTags, 'app:*'] },
];

const moduleBoundaries = (allow) => [
  'error',
  { enforceBuildableLibDependency: false, allow, depConstraints },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/coverage/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': moduleBoundaries([]),
    },
  },
  {
    // The e2e project drives the apps through their own test support: the API's in-process test
    // platform, the CLI's dashboard build and the dashboard's reading of results. Nx forbids
    // importing an app outright; these are the only app modules an import may reach, and only
    // from e2e/.
    files: ['e2e/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries([
        '^(\\.\\./)+apps/api/src/testing/test-platform$',
        '^(\\.\\./)+apps/cli/src/stack/dashboard$',
        '^(\\.\\./)+apps/dashboard/src/data$',
      ]),
    },
  },
  {
    files: scienceLibs,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: platformPackages,
              message:
                'simulator libraries know nothing of the platform (NestJS, queues, SQL, HTTP)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
