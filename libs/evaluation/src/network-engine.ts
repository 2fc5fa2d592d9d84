import { ExitPoint } from '@engram/models';
import { sampleRange } from './read-noise';

/** What an engine reports of the network it runs. */
export interface EngineNetwork {
  readonly exits: readonly ExitPoint[];
  readonly stageCount: number;
  readonly numClasses: number;
}

/** The base of the inference engines: the exits, stages and classes are the network's. */
export abstract class NetworkEngine<Network extends EngineNetwork> {
  /** The pass's sample indices of each live state, row by row (what keys its read noise). */
  private readonly stateSamples = new WeakMap<object, Int32Array>();
  /** Calls of each weight layer since the batch began: the `call` of the read-noise keys. */
  private readonly batchCalls = new Map<string, number>();

  constructor(protected readonly network: Network) {}

  /** Records the sample indices of a new state (a begun batch or a selection). */
  protected withSamples<S>(state: S, samples: Int32Array): S {
    this.stateSamples.set(state as object, samples);
    return state;
  }

  /** The sample indices of a state this engine returned. */
  protected samplesOf(state: unknown): Int32Array {
    const samples = this.stateSamples.get(state as object);
    if (!samples) throw new Error(`${this.constructor.name}: a state this engine did not return`);
    return samples;
  }

  /**
   * A new batch of `count` samples, the pass's samples [firstSample, firstSample + count): its
   * layers' calls count from 0 again. Returns the batch's sample indices.
   */
  protected beginBatch(firstSample: number, count: number): Int32Array {
    this.batchCalls.clear();
    return sampleRange(firstSample, count);
  }

  /**
   * The call index of `layer` within the current batch, counted up. Every sample of a batch
   * goes through the same layer calls in the same order whichever samples left at an exit, so
   * (layer, call, sample) names the same read in every pass.
   */
  protected nextBatchCall(layer: string): number {
    const call = this.batchCalls.get(layer) ?? 0;
    this.batchCalls.set(layer, call + 1);
    return call;
  }

  get exits(): readonly ExitPoint[] {
    return this.network.exits;
  }

  get stageCount(): number {
    return this.network.stageCount;
  }

  get numClasses(): number {
    return this.network.numClasses;
  }
}
