/**
 * The contract between the science and the platform: one configuration in, one set of metrics
 * out. Workers call `evaluate(config)`; the sweep specification's axes are fields of the config.
 */

import type { DeviceKnobs } from '@engram/hardware';

export type ModelName = 'resnet-mnist' | 'pointnet2-modelnet10';

export type ExitRuleName = 'margin' | 'absolute';

export type EvaluationSplit = 'test' | 'validation';

/** Per-run device knobs (see DeviceKnobs in the hardware library). */
export type DeviceOverrides = DeviceKnobs;

export interface EvaluationConfig {
  model: ModelName;
  /** Device profile name (default `rram-40nm-ternary`) and per-run overrides. */
  deviceProfile?: string;
  device?: DeviceOverrides;
  /** TCAM exit threshold: one for every exit, or one per exit. */
  camThreshold: number | number[];
  exitRule?: ExitRuleName;
  /** Prototypes per class in the semantic memory (K). */
  memorySize: number;
  /** Seed of every random draw of the run (programming noise, faults, read noise, TCAM noise). */
  seed: number;
  split?: EvaluationSplit;
  /** Number of samples of the split to evaluate (default: all). */
  sampleCount?: number;
  /**
   * Inference engine: 'onnx' (onnxruntime, the default where the model has it: resnet-mnist) or
   * 'tfjs' (TensorFlow.js, the reference; every model).
   */
  engine?: string;
}

export interface EvaluationResult {
  model: ModelName;
  artifactVersion: string;
  /** Engine that ran the network ('onnx' or 'tfjs'). */
  engine: string;
  samples: number;
  /** Accuracies as fractions in [0, 1]. */
  dynamicAccuracy: number;
  staticAccuracy: number;
  softwareAccuracy: number;
  /** Samples that left at each exit; the last entry is the final classifier. */
  exitHistogram: number[];
  /** Dynamic accuracy of the samples that left at each exit (NaN where none left). */
  exitAccuracy: number[];
  meanMacsPerSample: number;
  staticMacsPerSample: number;
  /** 1 - dynamic MACs / static MACs. */
  computeReduction: number;
  camSearchesPerSample: number;
  camBitSearchesPerSample: number;
  energyPerInferencePj: number;
  staticEnergyPerInferencePj: number;
  digitalBaselineEnergyPerInferencePj: number;
  /** 1 - dynamic energy / digital-baseline energy of the static network. */
  energyReductionVsDigital: number;
  /** 1 - dynamic energy / static energy on the same simulated hardware. */
  energyReductionVsStatic: number;
  /** Energy breakdown of the dynamic run per inference (pJ). */
  energyBreakdownPj: Record<string, number>;
  wallTimeMs: number;
  dynamicWallTimeMs: number;
  staticWallTimeMs: number;
}
