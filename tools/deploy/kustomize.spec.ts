/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, splitImage, strategicMerge } from './kustomize';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          envFrom: [{ configMapRef: { name: cfg } }]
          env:
            - { name: A, value: a }
            - name: S
              valueFrom: { secretKeyRef: { name: creds, key: S } }
`;

describe('kustomize renderer', () => {
  const dir = tree({
    'base/kustomization.yaml': `resources: [web.yaml]
configMapGenerator:
  - name: cfg
    literals: [X=1, Y=2]
`,
    'base/web.yaml': deployment,
    'comp/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: { kind: Deployment, name: w.b }
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
`,
    'overlay/kustomization.yaml': `namespace: prod
resources: [../base]
components: [../comp]
images:
  - { name: web, newName: registry.example/web, newTag: '2' }
configMapGenerator:
  - { name: cfg, behavior: merge, literals: [Y=3] }
secretGenerator:
  - { name: creds, literals: [S=hunter2] }
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web }
      spec:
        template:
          spec:
            containers:
              - name: web
                env:
                  - { name: A, value: b }
                  - { name: B, value: c }
`,
    'bad/kustomization.yaml': 'resources: []\ncommonLabels: { a: b }\n',
  });
  const objects = build(path.join(dir, 'overlay'));
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const [web] = byKind('Deployment') as any[];
  const container = web.spec.template.spec.containers[0];

  it('applies namespace, images, components and both patch kinds', () => {
    expect(objects.map((o) => o.metadata.namespace)).toEqual(['prod', 'prod', 'prod']);
    expect(container.image).toBe('registry.example/web:2');
    expect(web.spec.replicas).toBe(3);
    expect(container.env.map((e: any) => [e.name, e.value])).toEqual([
      ['A', 'b'],
      ['S', undefined],
      ['B', 'c'],
    ]);
  });

  it('generates, merges and hash-suffixes ConfigMaps and Secrets, renaming references', () => {
    const [cfg] = byKind('ConfigMap');
    const [secret] = byKind('Secret');
    expect(cfg.data).toEqual({ X: '1', Y: '3' });
    expect(cfg.metadata.name).toMatch(/^cfg-[a-z0-9]{10}$/);
    expect(secret.data).toEqual({ S: Buffer.from('hunter2').toString('base64') });
    expect(container.envFrom[0].configMapRef.name).toBe(cfg.metadata.name);
    expect(container.env[1].valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
  });

  it('refuses features it does not implement', () => {
    expect(() => build(path.join(dir, 'bad'))).toThrow(/unsupported.*commonLabels/);
  });

  it('merges lists by key and deletes with null or $patch: delete', () => {
    const merged = strategicMerge(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        spec: { containers: [{ name: 'a', image: 'x', tty: true }] },
      },
      {
        spec: {
          containers: [
            { name: 'a', tty: null },
            { name: 'b', image: 'y' },
          ],
        },
      },
      'Pod',
    );
    expect(merged.spec).toEqual({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'b', image: 'y' },
      ],
    });
    expect(
      strategicMerge(
        { apiVersion: 'v1', spec: { volumes: [{ name: 'v' }] } },
        { spec: { volumes: [{ name: 'v', $patch: 'delete' }] } },
        'Pod',
      ).spec,
    ).toEqual({ volumes: [] });
  });

  it('splits image references', () => {
    expect(splitImage('localhost:5000/a/b:1.2')).toEqual({
      name: 'localhost:5000/a/b',
      tag: ':1.2',
    });
    expect(splitImage('a@sha256:ff')).toEqual({ name: 'a', tag: '@sha256:ff' });
  });
});
