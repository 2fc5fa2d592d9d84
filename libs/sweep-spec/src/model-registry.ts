import {
  PARAMETER_DESCRIPTORS,
  PARAMETER_NAMES,
  type EngineName,
  type EvaluationSplit,
  type ModelName,
  type ParameterName,
} from '@engram/contracts';

/**
 * What the platform needs to know about a model to accept sweeps over it. Adding a model means
 * naming it in the contracts' MODEL_NAMES and adding one entry here (and training its artifact);
 * nothing else in the platform changes.
 */
export interface ModelRegistration {
  name: ModelName;
  description: string;
  /** Parameters a sweep over this model may set (in the grid or in `fixed`). */
  parameters: readonly ParameterName[];
  /** Narrower ranges than the parameter's own, where the model imposes them. */
  rangeOverrides?: Partial<Record<ParameterName, { minimum?: number; maximum?: number }>>;
  /** Samples in each evaluation split; sampleCount may not exceed them. */
  splitSamples: Partial<Record<EvaluationSplit, number>>;
  /** Early exits of the network (per-exit threshold parameters exist for each). */
  exits: number;
  /** Inference engines the model runs on; the first is the default of its runs. */
  engines: readonly [EngineName, ...EngineName[]];
}

export const MODEL_REGISTRY: Readonly<Record<ModelName, ModelRegistration>> = {
  'resnet-mnist': {
    name: 'resnet-mnist',
    description: 'Ternary ResNet on MNIST digits with semantic-memory early exits.',
    parameters: PARAMETER_NAMES,
    // MNIST: 10,000 test images; the artifact holds out 5,000 training images for validation.
    splitSamples: { test: 10_000, validation: 5_000 },
    exits: 2,
    engines: ['onnx', 'tfjs'],
  },
  'pointnet2-modelnet10': {
    name: 'pointnet2-modelnet10',
    description: 'PointNet++ on ModelNet10 point clouds with semantic-memory early exits.',
    parameters: PARAMETER_NAMES,
    // ModelNet10's official test split has 908 shapes; its validation split is set by training.
    splitSamples: { test: 908 },
    exits: 2,
    // ONNX graphs per stage; farthest point sampling and grouping run in TypeScript beside them.
    engines: ['onnx', 'tfjs'],
  },
};

/** The range a model allows for a numeric parameter (the parameter's own unless narrowed). */
export function parameterRange(
  model: ModelName,
  name: ParameterName,
): { minimum: number; maximum: number } | null {
  const definition = PARAMETER_DESCRIPTORS[name];
  if (definition.kind === 'enum') return null;
  const override = MODEL_REGISTRY[model].rangeOverrides?.[name];
  return {
    minimum: override?.minimum ?? definition.minimum,
    maximum: override?.maximum ?? definition.maximum,
  };
}
