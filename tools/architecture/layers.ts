/**
 * The layers of the workspace, lowest first. A project may depend only on projects of lower
 * layers: never on one of its own layer (so two apps never know each other) nor on one above.
 * eslint.config.mjs lists, per library, exactly which libraries it may import; every one of them
 * sits in a lower layer here (module-boundaries.spec.ts checks that the two agree).
 *
 * contracts, engine-onnx and reporting are the libraries the architecture pass adds; a name
 * without a project is simply unused.
 */
export const LAYERS: readonly (readonly string[])[] = [
  // leaves: nothing of ours
  ['hardware', 'datasets', 'tensor', 'config'],
  // names, parameter descriptors, evaluation config/result types (the default profile at most);
  // what a pass costs (chip energy, digital baselines)
  ['contracts', 'energy'],
  // the networks, their training and artifacts; the sweep spec (schema, validation, grid
  // expansion, run identity)
  ['models', 'sweep-spec'],
  // prototypes, TCAM programming, exit policy
  ['semantic-memory'],
  // one run on a simulated chip
  ['evaluation'],
  // the onnxruntime engine
  ['engine-onnx'],
  // operating points, reports, figures (reports run on the fastest engine)
  ['reporting'],
  // the queue's names, job payloads and worker options
  ['queue'],
  // the database; the HTTP client
  ['persistence', 'api-client'],
  // apps compose libraries and never know each other
  ['api', 'worker', 'cli', 'dashboard'],
  // tests that boot several apps; checks of the deployment files and the workspace
  ['e2e', 'deploy', 'infra-tests', 'architecture'],
];

/** The layer index of each project name. */
export function layerIndex(layers: readonly (readonly string[])[] = LAYERS): Map<string, number> {
  const index = new Map<string, number>();
  layers.forEach((layer, i) => {
    for (const name of layer) {
      if (index.has(name)) throw new Error(`${name} is declared in two layers`);
      index.set(name, i);
    }
  });
  return index;
}
