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
  'datasets',
  'engine-onnx',
  'evaluation',
  'hardware',
  'models',
  'reporting',
  'semantic-memory',
  'sweep-spec',
  'tensor',
].map((lib) => `libs/${lib}/**/*.ts`);

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/coverage/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:science',
              onlyDependOnLibsWithTags: ['scope:science'],
              bannedExternalImports: platformPackages,
            },
            {
              sourceTag: 'scope:platform',
              onlyDependOnLibsWithTags: ['scope:platform', 'scope:science'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:lib'],
            },
            {
              sourceTag: 'type:lib',
              onlyDependOnLibsWithTags: ['type:lib'],
            },
          ],
        },
      ],
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
