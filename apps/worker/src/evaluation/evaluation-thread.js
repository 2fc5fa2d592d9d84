// Entry of an evaluation thread. Plain JavaScript so it starts the same way from sources run
// with @swc-node/register (which it registers itself when the module is TypeScript) and from
// compiled output.
'use strict';
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');

const { modulePath, exportName, chipExportName, checkName } = workerData;
if (
  !require.extensions['.ts'] &&
  !fs.existsSync(`${modulePath}.js`) &&
  fs.existsSync(`${modulePath}.ts`)
) {
  require('@swc-node/register');
}
const loaded = require(modulePath);
const evaluate = loaded[exportName];
if (typeof evaluate !== 'function') {
  throw new Error(`${modulePath} exports no function ${exportName}`);
}
const evaluateChipRuns = loaded[chipExportName];
if (typeof evaluateChipRuns !== 'function') {
  throw new Error(`${modulePath} exports no function ${chipExportName}`);
}
// The module's own start-up check (e.g. every model has its engines registered): its error is
// the pool's load error, which fails the worker's start.
if (checkName !== undefined) {
  try {
    loaded[checkName]();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ loadError: { name: e.name, message: e.message, stack: e.stack } });
  }
}

// Loaded: the pool may now terminate this thread safely (terminating it while native modules
// load, onnxruntime's among them, can abort the whole process).
parentPort.postMessage({ ready: true });

// A task is one configuration (`config`: evaluate) or the configurations of one chip (`configs`:
// evaluateChipRuns, whose progress is posted as it comes).
parentPort.on('message', async ({ config, configs }) => {
  try {
    if (configs) {
      const results = await evaluateChipRuns(configs, {
        onProgress: (done, total) => parentPort.postMessage({ progress: { done, total } }),
      });
      parentPort.postMessage({ results });
    } else {
      const result = await evaluate(config);
      parentPort.postMessage({ result });
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({
      error: {
        name: e.name,
        message: e.message,
        stack: e.stack,
        field: e.field,
        permanent: e.permanent === true,
      },
    });
  }
});
