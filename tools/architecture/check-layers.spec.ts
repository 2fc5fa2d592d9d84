import { NxGraphFile, checkLayers } from './check-layers';
import { LAYERS, layerIndex } from './layers';

/** A graph file as `nx graph --file` writes it, from `source: targets` lists. */
function graph(deps: Record<string, string[]>, npm: string[] = []): NxGraphFile {
  const nodes: NxGraphFile['graph']['nodes'] = {};
  for (const name of Object.keys(deps)) nodes[name] = { type: 'lib' };
  const dependencies: NxGraphFile['graph']['dependencies'] = {};
  for (const [source, targets] of Object.entries(deps)) {
    dependencies[source] = [...targets, ...npm].map((target) => ({
      source,
      target,
      type: 'static',
    }));
  }
  return { graph: { nodes, dependencies } };
}

const layers = [['hardware', 'datasets'], ['models'], ['evaluation'], ['api', 'worker']];

describe('checkLayers', () => {
  it('passes dependencies that point to lower layers and ignores npm packages', () => {
    const report = checkLayers(
      graph(
        {
          hardware: [],
          datasets: [],
          models: ['datasets'],
          evaluation: ['models', 'hardware'],
          api: ['evaluation', 'hardware'],
          worker: ['evaluation'],
        },
        ['npm:onnxruntime-node'],
      ),
      layers,
    );
    expect(report.violations).toEqual([]);
    expect(report.edges).toEqual([
      'api -> evaluation',
      'api -> hardware',
      'evaluation -> hardware',
      'evaluation -> models',
      'models -> datasets',
      'worker -> evaluation',
    ]);
  });

  it('fails a library that depends on a library above it', () => {
    const report = checkLayers(
      graph({
        hardware: ['models'],
        datasets: [],
        models: [],
        evaluation: [],
        api: [],
        worker: [],
      }),
      layers,
    );
    expect(report.violations).toEqual(['hardware (layer 0) -> models: a layer above (1)']);
  });

  it('fails a dependency inside one layer: an app importing another app', () => {
    const report = checkLayers(
      graph({ hardware: [], datasets: [], models: [], evaluation: [], api: [], worker: ['api'] }),
      layers,
    );
    expect(report.violations).toEqual(['worker -> api: both in layer 3 (api, worker)']);
  });

  it('fails a project that has no layer', () => {
    const report = checkLayers(graph({ hardware: [], reporting: ['hardware'] }), layers);
    expect(report.violations).toEqual([
      'reporting: no layer declared (tools/architecture/layers.ts)',
    ]);
  });
});

describe('LAYERS', () => {
  it('declares each project once', () => {
    expect(() => layerIndex()).not.toThrow();
    expect(layerIndex().size).toBe(LAYERS.flat().length);
    expect(() => layerIndex([['a'], ['b', 'a']])).toThrow('a is declared in two layers');
  });
});
