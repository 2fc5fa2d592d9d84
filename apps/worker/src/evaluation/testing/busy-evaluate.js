// Fixture for the thread-pool spec: an `evaluate` that blocks its thread like the simulation
// does (a synchronous loop), reports which thread ran it, and fails the way evaluate fails.
'use strict';
const { threadId } = require('node:worker_threads');

exports.evaluate = async function evaluate(config) {
  if (config.memorySize > 64) {
    const error = new Error(`memorySize: must be an integer in [1, 64], got ${config.memorySize}`);
    error.name = 'InvalidEvaluationConfigError';
    error.field = 'memorySize';
    error.permanent = true;
    throw error;
  }
  if (config.camThreshold < 0) {
    // As a lost file handle or a full disk would: nothing marks it permanent.
    throw new Error('EMFILE: too many open files');
  }
  const until = Date.now() + config.seed;
  while (Date.now() < until) {
    // Busy, as a CPU-bound simulation is: no await, no timers.
  }
  return { model: config.model, artifactVersion: `thread-${threadId}`, samples: config.seed };
};

// The chip's configurations in turn, reporting progress after each, as the science's does.
exports.evaluateChipRuns = async function evaluateChipRuns(configs, options = {}) {
  const results = [];
  options.onProgress?.(0, configs.length);
  for (const config of configs) {
    results.push(await exports.evaluate(config));
    options.onProgress?.(results.length, configs.length);
  }
  return results;
};

// Start-up checks the pool calls once a thread has loaded this module (ThreadPoolOptions.checkName).
exports.passingCheck = function passingCheck() {};
exports.failingCheck = function failingCheck() {
  throw new Error('evaluation engines missing: model m runs on onnx, not registered');
};
