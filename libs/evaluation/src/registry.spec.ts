import type { EngineName, ModelName } from '@engram/contracts';
import {
  assertEnginesRegistered,
  defaultEngine,
  loadEvaluationModel,
  modelNames,
  registerEngine,
} from './index';
import { enginesFor, missingEngines } from './testing';
import { registerModel } from './registry';
import type { EvaluationModel } from './evaluation-model';

const noModel = async (): Promise<EvaluationModel> => {
  throw new Error('not loaded in this spec');
};

describe('model and engine registries', () => {
  it('hold the built-in models and the tfjs engine once the core is imported', () => {
    expect(modelNames()).toEqual(['resnet-mnist', 'pointnet2-modelnet10']);
    const resnet = { name: 'resnet-mnist' } as EvaluationModel;
    expect(enginesFor(resnet)).toEqual(['onnx', 'tfjs']);
    expect(defaultEngine(resnet)).toBe('onnx');
  });

  it('refuse a second model or engine of the same name', () => {
    expect(() => registerModel({ name: 'resnet-mnist', load: noModel, engines: ['tfjs'] })).toThrow(
      'model resnet-mnist is already registered',
    );
    expect(() =>
      registerEngine({
        name: 'tfjs',
        create: () => {
          throw new Error('never created');
        },
      }),
    ).toThrow('engine tfjs is already registered');
  });

  it('name the engines models need that nobody registered (the onnx library is not imported)', () => {
    expect(missingEngines()).toEqual([
      'model resnet-mnist runs on onnx, not registered',
      'model pointnet2-modelnet10 runs on onnx, not registered',
    ]);
    expect(() => assertEnginesRegistered()).toThrow(
      /registers when '@engram\/engine-onnx' is imported/,
    );
  });

  it('load a registered model and refuse an unknown one with the available names', async () => {
    const name = 'test-model' as ModelName;
    registerModel({ name, load: noModel, engines: ['tfjs'] as EngineName[] });
    await expect(loadEvaluationModel(name)).rejects.toThrow('not loaded in this spec');
    await expect(loadEvaluationModel('no-such-model' as ModelName)).rejects.toThrow(
      'unknown model no-such-model (available: resnet-mnist, pointnet2-modelnet10, test-model)',
    );
  });
});
