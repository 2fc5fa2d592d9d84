import { InferenceEngine, PointNetNetwork, ResNetNetwork } from '@engram/models';
import { ProgrammedCrossbars, registerEngine } from '@engram/evaluation';
import { OnnxEngineOptions } from './onnx-engine-base';
import { OnnxPointNetEngine } from './pointnet-engine';
import { OnnxResNetEngine } from './resnet-engine';

type EngineFactory = (
  crossbars: ProgrammedCrossbars,
  options: OnnxEngineOptions,
) => InferenceEngine<unknown>;

/** The onnxruntime graphs this library builds, by network kind (DynamicNetwork.kind). */
const ENGINES_BY_KIND: Record<string, EngineFactory> = {
  resnet: (c, options) =>
    new OnnxResNetEngine(
      c.network as unknown as ResNetNetwork,
      c.arrays,
      c.calibration,
      c.profile,
      c.readNoiseRng,
      options,
    ) as InferenceEngine<unknown>,
  pointnet2: (c, options) =>
    new OnnxPointNetEngine(
      c.network as unknown as PointNetNetwork,
      c.arrays,
      c.calibration,
      c.profile,
      c.readNoiseRng,
      options,
    ) as InferenceEngine<unknown>,
};

registerEngine<OnnxEngineOptions>({
  name: 'onnx',
  create: (crossbars, options) => {
    const kind = crossbars.network.kind;
    const factory = Object.hasOwn(ENGINES_BY_KIND, kind) ? ENGINES_BY_KIND[kind] : undefined;
    if (!factory) {
      throw new Error(
        `the onnx engine runs ${Object.keys(ENGINES_BY_KIND).join(', ')} networks, not ${kind}`,
      );
    }
    return factory(crossbars, options);
  },
});
