import { ExitPoint } from '@engram/models';

/** What an engine reports of the network it runs. */
export interface EngineNetwork {
  readonly exits: readonly ExitPoint[];
  readonly stageCount: number;
  readonly numClasses: number;
}

/** The base of the inference engines: the exits, stages and classes are the network's. */
export abstract class NetworkEngine<Network extends EngineNetwork> {
  constructor(protected readonly network: Network) {}

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
