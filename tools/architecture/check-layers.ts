/**
 * `npm run check:layers`: fails when a project depends on a project of its own layer or of a
 * layer above it (tools/architecture/layers.ts), or when a project has no layer.
 *
 * It reads the graph Nx draws from the imports (`npx nx graph --file=graph.json`): by default it
 * asks Nx for a fresh one; `--graph <file>` reads one written before.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAYERS, layerIndex } from './layers';

/** The part of `nx graph --file` this check reads. */
export interface NxGraphFile {
  graph: {
    nodes: Record<string, { type: string }>;
    dependencies: Record<string, { source: string; target: string; type: string }[]>;
  };
}

export interface LayerReport {
  /** Every dependency between two of our projects, as `source -> target`. */
  edges: string[];
  violations: string[];
}

/** Checks each dependency between two of our projects (npm packages are not ours). */
export function checkLayers(
  file: NxGraphFile,
  layers: readonly (readonly string[])[] = LAYERS,
): LayerReport {
  const index = layerIndex(layers);
  const ours = new Set(Object.keys(file.graph.nodes));
  const violations: string[] = [];
  for (const name of [...ours].sort()) {
    if (!index.has(name))
      violations.push(`${name}: no layer declared (tools/architecture/layers.ts)`);
  }
  const edges = new Set<string>();
  for (const [source, deps] of Object.entries(file.graph.dependencies)) {
    if (!ours.has(source)) continue;
    for (const { target } of deps) {
      if (!ours.has(target) || target === source) continue;
      edges.add(`${source} -> ${target}`);
      const from = index.get(source);
      const to = index.get(target);
      if (from === undefined || to === undefined) continue;
      if (to === from)
        violations.push(
          `${source} -> ${target}: both in layer ${from} (${layers[from].join(', ')})`,
        );
      else if (to > from)
        violations.push(`${source} (layer ${from}) -> ${target}: a layer above (${to})`);
    }
  }
  return { edges: [...edges].sort(), violations };
}

function readGraph(argv: string[]): NxGraphFile {
  const at = argv.indexOf('--graph');
  if (at >= 0) {
    const file = argv[at + 1];
    if (!file)
      throw new Error('--graph needs a file (written by `npx nx graph --file=graph.json`)');
    return JSON.parse(fs.readFileSync(file, 'utf8')) as NxGraphFile;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-graph-'));
  try {
    const file = path.join(dir, 'graph.json');
    const root = path.resolve(__dirname, '../..');
    execFileSync(path.join(root, 'node_modules/.bin/nx'), ['graph', `--file=${file}`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return JSON.parse(fs.readFileSync(file, 'utf8')) as NxGraphFile;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const report = checkLayers(readGraph(process.argv.slice(2)));
  console.log(`${report.edges.length} dependencies between our projects, layers lowest first:`);
  LAYERS.forEach((layer, i) => console.log(`  ${i}: ${layer.join(', ')}`));
  if (report.violations.length > 0) {
    console.error(`\n${report.violations.length} layering violation(s):`);
    for (const violation of report.violations) console.error(`  ${violation}`);
    process.exit(1);
  }
  console.log('no project depends on its own layer or a layer above');
}
