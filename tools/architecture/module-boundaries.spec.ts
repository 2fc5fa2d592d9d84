import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAYERS, layerIndex } from './layers';

// The lint rules that keep the layering, exercised on fixtures: sources linted with the
// repository's ESLint configuration as if they were files inside a project (nothing is written,
// so `npm run lint` never sees them).
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const BOUNDARIES = '@nx/enforce-module-boundaries';

interface Message {
  ruleId: string | null;
  message: string;
}

interface Constraint {
  sourceTag: string;
  onlyDependOnLibsWithTags?: string[];
  bannedExternalImports?: string[];
}

const fixtures = {
  hardwareImportsModels: {
    filePath: 'libs/hardware/src/boundary-fixture.ts',
    text: "import { ResNetNetwork } from '@engram/models';\nexport const net = ResNetNetwork;\n",
  },
  modelsImportsSemanticMemory: {
    filePath: 'libs/models/src/boundary-fixture.ts',
    text: "import { buildSemanticMemory } from '@engram/semantic-memory';\nexport const build = buildSemanticMemory;\n",
  },
  contractsImportsDatasets: {
    filePath: 'libs/contracts/src/boundary-fixture.ts',
    text: "import { SeededRandom } from '@engram/datasets';\nexport const rng = SeededRandom;\n",
  },
  evaluationImportsModels: {
    filePath: 'libs/evaluation/src/boundary-fixture.ts',
    text: "import { ResNetNetwork } from '@engram/models';\nexport const net = ResNetNetwork;\n",
  },
  dashboardImportsApi: {
    filePath: 'apps/dashboard/src/boundary-fixture.ts',
    text: "import { createApiApp } from '../../api/src/bootstrap';\nexport const app = createApiApp;\n",
  },
  dashboardImportsPersistence: {
    filePath: 'apps/dashboard/src/boundary-fixture.ts',
    text: "import { SweepStore } from '@engram/persistence';\nexport const store = SweepStore;\n",
  },
  workerImportsQueue: {
    filePath: 'apps/worker/src/boundary-fixture.ts',
    text: "import { QueueName } from '@engram/queue';\nexport const name = QueueName;\n",
  },
  e2eImportsApiHarness: {
    filePath: 'e2e/src/boundary-fixture.ts',
    text: "import { TestPlatform } from '../../apps/api/src/testing/test-platform';\nexport const p = TestPlatform;\n",
  },
  e2eImportsApiInternals: {
    filePath: 'e2e/src/boundary-fixture.ts',
    text: "import { createApiApp } from '../../apps/api/src/bootstrap';\nexport const app = createApiApp;\n",
  },
  scienceImportsHttp: {
    filePath: 'libs/evaluation/src/boundary-fixture.ts',
    text: "import * as http from 'node:http';\nexport const server = http.createServer;\n",
  },
};
type Fixture = keyof typeof fixtures;

let messages: Record<Fixture, Message[]>;
let constraints: Constraint[];

beforeAll(() => {
  const names = Object.keys(fixtures) as Fixture[];
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-text.mjs')], {
    cwd: ROOT,
    input: JSON.stringify({
      cases: names.map((name) => fixtures[name]),
      configFor: 'libs/hardware/src/index.ts',
    }),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = JSON.parse(output) as {
    results: Message[][];
    moduleBoundaries: { depConstraints: Constraint[] };
  };
  messages = Object.fromEntries(names.map((name, i) => [name, parsed.results[i]])) as Record<
    Fixture,
    Message[]
  >;
  constraints = parsed.moduleBoundaries.depConstraints;
});

const boundaryErrors = (fixture: Fixture) =>
  messages[fixture].filter((m) => m.ruleId === BOUNDARIES).map((m) => m.message);

describe('lint fails on a forbidden import', () => {
  it('a leaf library importing one of ours (hardware -> models)', () => {
    expect(boundaryErrors('hardwareImportsModels')).toEqual([
      'A project tagged with "lib:hardware" cannot depend on any libs with tags',
    ]);
  });

  it('a library importing a library above it (models -> semantic-memory)', () => {
    expect(boundaryErrors('modelsImportsSemanticMemory')).toEqual([
      'A project tagged with "lib:models" can only depend on libs tagged with "lib:tensor", "lib:datasets"',
    ]);
  });

  it('a library that does not exist yet gets its rule as soon as it lands (contracts -> datasets)', () => {
    // libs/contracts has no project yet: its files belong to no project and are not checked
    const contracts = fs.existsSync(path.join(ROOT, 'libs/contracts/project.json'));
    expect(boundaryErrors('contractsImportsDatasets')).toEqual(
      contracts
        ? [
            'A project tagged with "lib:contracts" can only depend on libs tagged with "lib:hardware"',
          ]
        : [],
    );
  });

  it('an app importing another app', () => {
    expect(boundaryErrors('dashboardImportsApi')).toEqual([
      'Projects cannot be imported by a relative or absolute path, and must begin with a npm scope',
    ]);
  });

  it('the dashboard importing a library other than the API client', () => {
    expect(boundaryErrors('dashboardImportsPersistence')).toEqual([
      'A project tagged with "app:dashboard" can only depend on libs tagged with "lib:api-client", "lib:contracts"',
    ]);
  });

  it('e2e reaching into an app beyond its test support', () => {
    expect(boundaryErrors('e2eImportsApiInternals')).toEqual([
      'Projects cannot be imported by a relative or absolute path, and must begin with a npm scope',
    ]);
  });

  it('a science library importing an HTTP module', () => {
    expect(messages.scienceImportsHttp.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});

describe('lint passes allowed imports', () => {
  it.each([
    ['evaluation -> models', 'evaluationImportsModels'],
    ['worker -> queue', 'workerImportsQueue'],
    ["e2e -> the API's test platform", 'e2eImportsApiHarness'],
  ] as const)('%s', (_, fixture) => {
    expect(messages[fixture]).toEqual([]);
  });
});

/** Every project's name and tags, from its project.json. */
function projects(): { name: string; tags: string[]; root: string }[] {
  const found: { name: string; tags: string[]; root: string }[] = [];
  const visit = (dir: string, depth: number) => {
    const file = path.join(ROOT, dir, 'project.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; tags?: string[] };
      found.push({ name: json.name, tags: json.tags ?? [], root: dir });
    }
    if (depth === 0) return;
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(dir, entry.name), depth - 1);
    }
  };
  for (const top of ['apps', 'libs', 'tools']) visit(top, 1);
  visit('e2e', 0);
  return found;
}

describe('the tags, the lint rules and the layers agree', () => {
  const index = layerIndex();

  it('each project carries the tag of its name and sits in a layer', () => {
    for (const { name, tags, root } of projects()) {
      const kind = root.startsWith('apps/')
        ? 'app'
        : root.startsWith('libs/')
          ? 'lib'
          : root.startsWith('tools/')
            ? 'tool'
            : null;
      expect({ name, tag: tags.find((t) => /^(app|lib|tool):|^e2e$/.test(t)) }).toEqual({
        name,
        tag: kind ? `${kind}:${name}` : 'e2e',
      });
      expect({ name, layered: index.has(name) }).toEqual({ name, layered: true });
      expect({ name, constrained: constraints.some((c) => tags.includes(c.sourceTag)) }).toEqual({
        name,
        constrained: true,
      });
    }
  });

  it('a library may import only libraries of lower layers', () => {
    for (const rule of constraints.filter((c) => c.sourceTag.startsWith('lib:'))) {
      const lib = rule.sourceTag.slice('lib:'.length);
      expect({ lib, layered: index.has(lib) }).toEqual({ lib, layered: true });
      expect(rule.onlyDependOnLibsWithTags).toBeDefined();
      for (const tag of rule.onlyDependOnLibsWithTags ?? []) {
        const dep = tag.slice('lib:'.length);
        const lower = tag.startsWith('lib:') && (index.get(dep) ?? Infinity) < index.get(lib)!;
        expect({ lib, dep, lower }).toEqual({ lib, dep, lower: true });
      }
    }
  });

  it('each library of the layers has a rule listing what it may import', () => {
    const apps = new Set(['api', 'worker', 'cli', 'dashboard']);
    const libraries = LAYERS.flat().filter(
      (name) => !apps.has(name) && !['e2e', 'deploy', 'infra-tests', 'architecture'].includes(name),
    );
    for (const lib of libraries) {
      expect({ lib, rule: constraints.some((c) => c.sourceTag === `lib:${lib}`) }).toEqual({
        lib,
        rule: true,
      });
    }
  });
});
