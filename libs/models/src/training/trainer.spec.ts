import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMnist, selectMnist } from '@engram/datasets';
import { initTensorEngine } from '@engram/tensor';
import type { ParameterStore } from '../layers/parameters';
import { ResNetNetwork } from '../resnet/network';
import { PointNetNetwork } from '../pointnet2/network';
import { PointNetTrainer } from '../pointnet2/trainer';
import { syntheticClouds } from '../pointnet2/synthetic';
import { MnistTrainer } from '../resnet/trainer';
import type { CheckpointOptions, Trainer } from './trainer';
import {
  SMALL_MNIST_CONFIG,
  SMALL_POINTNET_CONFIG,
  SMALL_POINTNET_SPEC,
  SMALL_RESNET_SPEC,
} from './testing';

jest.setTimeout(120_000);

interface Case {
  /** A fresh network (same seed every time) and its trainer; `learningRate` changes the config. */
  make(
    checkpoint: CheckpointOptions,
    learningRate?: number,
  ): {
    params: ParameterStore;
    trainer: Pick<Trainer, 'run' | 'resumeIfPossible' | 'trainState'>;
    exits: number;
  };
}

const quiet = { log: () => undefined };

function mnistCase(): Case {
  const all = loadMnist('train');
  const train = selectMnist(
    all,
    Array.from({ length: 320 }, (_, i) => i),
  );
  const validation = selectMnist(
    all,
    Array.from({ length: 100 }, (_, i) => 1000 + i),
  );
  return {
    make(checkpoint, learningRate = SMALL_MNIST_CONFIG.learningRate) {
      const network = ResNetNetwork.create(SMALL_RESNET_SPEC, 1);
      const config = { ...SMALL_MNIST_CONFIG, learningRate };
      const trainer = new MnistTrainer(network, config, train, validation, checkpoint, quiet);
      return { params: network.params, trainer: trainer, exits: network.exits.length };
    },
  };
}

function pointNetCase(): Case {
  const train = syntheticClouds(80, 32, 1);
  const validation = syntheticClouds(16, 32, 2);
  return {
    make(checkpoint, learningRate = SMALL_POINTNET_CONFIG.learningRate) {
      const network = PointNetNetwork.create(SMALL_POINTNET_SPEC, 5);
      const config = { ...SMALL_POINTNET_CONFIG, learningRate };
      const trainer = new PointNetTrainer(network, config, train, validation, checkpoint, quiet);
      return { params: network.params, trainer: trainer, exits: network.exits.length };
    },
  };
}

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

// One generic trainer serves both models: the same checks run on each.
describe.each([
  ['MnistTrainer (ResNet on MNIST)', mnistCase],
  ['PointNetTrainer (PointNet++ on point clouds)', pointNetCase],
])('%s', (_name, setup) => {
  let dir: string;
  let model: Case;
  beforeAll(() => {
    model = setup();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-train-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('learns, and a run interrupted mid-epoch resumes to the same weights', () => {
    const straight = model.make({ dir: path.join(dir, 'straight'), everySteps: 4 });
    const history = straight.trainer.run();
    expect(history).toHaveLength(2);
    expect(history[1].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(history[1].validationExitAccuracy).toHaveLength(straight.exits);

    // Interrupted in the middle of epoch 2 (13 of 20 steps), then a new trainer picks it up.
    const resumedDir = path.join(dir, 'resumed');
    model.make({ dir: resumedDir, everySteps: 4 }).trainer.run({ stopAfterSteps: 13 });
    const resumed = model.make({ dir: resumedDir, everySteps: 4 });
    expect(resumed.trainer.resumeIfPossible()).toBe(true);
    expect(resumed.trainer.trainState).toMatchObject({ epoch: 1, stepInEpoch: 3 });
    resumed.trainer.run();

    const a = straight.params.snapshot();
    const b = resumed.params.snapshot();
    for (const [name, values] of a)
      expect(Array.from(b.get(name) as Float32Array)).toEqual(Array.from(values));
  });

  it('refuses a checkpoint written with another configuration', () => {
    const other = model.make({ dir: path.join(dir, 'straight'), everySteps: 4 }, 1e-3);
    expect(() => other.trainer.resumeIfPossible()).toThrow(/another training configuration/);
  });
});
