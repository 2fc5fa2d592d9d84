import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMnist, selectMnist } from '@engram/datasets';
import { initTensorEngine } from '@engram/tensor';
import { ResNetNetwork } from '../resnet/network';
import { ResNetSpec } from '../resnet/architecture';
import { MnistTrainer, TrainConfig } from './trainer';

jest.setTimeout(120_000);

const spec: ResNetSpec = {
  kind: 'resnet',
  inputHeight: 28,
  inputWidth: 28,
  inputChannels: 1,
  stemChannels: 4,
  stages: [
    { channels: 4, blocks: 1, stride: 1 },
    { channels: 8, blocks: 1, stride: 2 },
  ],
  exits: [{ afterStage: 0, poolGrid: 2, semanticDim: 8 }],
  numClasses: 10,
};

const config: TrainConfig = {
  mode: 'ternary',
  epochs: 2,
  batchSize: 32,
  learningRate: 5e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  auxLossWeight: 1,
  trainNoise: 0.05,
  maxShiftPixels: 2,
  batchNormMomentum: 0.9,
  seed: 3,
};

describe('MnistTrainer', () => {
  const all = loadMnist('train');
  const train = selectMnist(
    all,
    Array.from({ length: 320 }, (_, i) => i),
  );
  const validation = selectMnist(
    all,
    Array.from({ length: 100 }, (_, i) => 1000 + i),
  );
  let dir: string;

  beforeAll(async () => {
    await initTensorEngine({ log: () => undefined });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-train-'));
  });

  function trainer(checkpointDir: string): { network: ResNetNetwork; trainer: MnistTrainer } {
    const network = ResNetNetwork.create(spec, 1);
    return {
      network,
      trainer: new MnistTrainer(
        network,
        config,
        train,
        validation,
        { dir: checkpointDir, everySteps: 4 },
        { log: () => undefined },
      ),
    };
  }

  it('learns, and a run interrupted mid-epoch resumes to the same weights', () => {
    const straight = trainer(path.join(dir, 'straight'));
    const history = straight.trainer.run();
    expect(history).toHaveLength(2);
    expect(history[1].trainLoss).toBeLessThan(history[0].trainLoss);

    // Interrupted in the middle of epoch 2 (13 of 20 steps), then a new trainer picks it up.
    trainer(path.join(dir, 'resumed')).trainer.run({ stopAfterSteps: 13 });
    const resumed = trainer(path.join(dir, 'resumed'));
    expect(resumed.trainer.resumeIfPossible()).toBe(true);
    resumed.trainer.run();

    const a = straight.network.params.snapshot();
    const b = resumed.network.params.snapshot();
    for (const [name, values] of a)
      expect(Array.from(b.get(name) as Float32Array)).toEqual(Array.from(values));
  });

  it('refuses a checkpoint written with another configuration', () => {
    const other = ResNetNetwork.create(spec, 1);
    const t = new MnistTrainer(
      other,
      { ...config, learningRate: 1e-3 },
      train,
      validation,
      { dir: path.join(dir, 'straight'), everySteps: 4 },
      { log: () => undefined },
    );
    expect(() => t.resumeIfPossible()).toThrow(/another training configuration/);
  });
});
