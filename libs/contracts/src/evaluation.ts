import {
  DeviceProfileError,
  deviceProfileWithKnobs,
  type DeviceKnobs,
  type DeviceProfile,
  type ResolvedDeviceParameters,
} from '@engram/hardware';
import type { EvaluationSplit, ExitRuleName, ModelName, RunTiming } from './names';

/**
 * The contract between the science and the platform: one configuration in, one set of metrics
 * out. Workers call `evaluate(config)`; the sweep specification's axes are fields of the config.
 */

/** Per-run device knobs: each overrides one field of the device profile (hardware's DeviceKnobs). */
export type DeviceOverrides = DeviceKnobs;

/** Every device value a run used, read back flat from its resolved profile (stored with the run). */
export type { ResolvedDeviceParameters };

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
   * 'tfjs' (TensorFlow.js, the reference; every model). One of ENGINE_NAMES.
   */
  engine?: string;
  /**
   * 'measured': the run does real dynamic inference of its own (its wall times are measured);
   * 'derived' (the default, unset): its metrics may come from its chip's shared hardware pass.
   */
  timing?: RunTiming;
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
  /** Version of the energy model (@engram/energy ENERGY_MODEL_VERSION) that priced this result. */
  energyModelVersion: number;
  /** The digital baseline the reductions are against (see the hardware library). */
  digitalBaseline: string;
  energyPerInferencePj: number;
  staticEnergyPerInferencePj: number;
  /** The static network on the digital baseline. */
  digitalBaselineEnergyPerInferencePj: number;
  /** The digital baseline with the same exits as the chip (same samples leave at each exit). */
  digitalDynamicEnergyPerInferencePj: number;
  /** 1 - dynamic energy on chip / the static network on the digital baseline. */
  energyReductionVsDigitalStatic: number;
  /** 1 - dynamic energy on chip / the digital baseline with the same exits (the CIM gain). */
  energyReductionVsDigitalDynamic: number;
  /** Same as energyReductionVsDigitalStatic; the one figure results of energy model 1 carried. */
  energyReductionVsDigital: number;
  /** 1 - dynamic energy / static energy on the same simulated hardware. */
  energyReductionVsStatic: number;
  /** Energy of the dynamic run on the chip per inference, by component (pJ). */
  energyBreakdownPj: Record<string, number>;
  /** Energy of the static network on the digital baseline per inference, by component (pJ). */
  digitalEnergyBreakdownPj: Record<string, number>;
  /** How the metrics were made: 'derived' from the chip's shared pass, or 'measured'. */
  timing: RunTiming;
  /**
   * Wall time of the run: measured, the whole evaluation; derived, the run's own derivation
   * plus its share of the chip's pass.
   */
  wallTimeMs: number;
  /** Wall time of real dynamic inference (measured runs only; null when derived). */
  dynamicWallTimeMs: number | null;
  /** Wall time of the static pass (measured runs only; null when derived). */
  staticWallTimeMs: number | null;
  /** Wall time of the chip's one hardware pass the run was derived from (null when measured). */
  chipPassWallTimeMs: number | null;
}

/**
 * The device a configuration means: the named profile with its overrides applied, or null when
 * the profile is unknown or an override is out of range (such a run fails with the reason).
 */
export function resolvedDeviceProfile(
  profileName: string,
  overrides: DeviceOverrides = {},
): DeviceProfile | null {
  try {
    return deviceProfileWithKnobs(profileName, overrides);
  } catch (error) {
    if (error instanceof DeviceProfileError) return null;
    throw error;
  }
}
