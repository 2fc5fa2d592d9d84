#!/usr/bin/env node
// The `engram` bin of the workspace: the TypeScript CLI through @swc-node/register.
require('@swc-node/register');
require('../src/main.ts')
  .runCli(process.argv)
  .then((code) => process.exit(code));
