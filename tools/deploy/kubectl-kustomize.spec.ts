/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import {
  K8sObject,
  KubectlMissingError,
  build,
  parseYamlStream,
  renderKustomization,
  splitImage,
} from './kubectl-kustomize';
import { ROOT } from './workspace';

const OVERLAYS = ['dev', 'prod', 'prod-redis-cluster'];

/** Every string-typed value a Kubernetes object must keep as a string, with its path. */
function stringFields(o: K8sObject): [string, unknown][] {
  const fields: [string, unknown][] = [];
  const id = `${o.kind}/${o.metadata.name}`;
  for (const [k, v] of Object.entries(o.metadata.annotations ?? {}))
    fields.push([`${id} annotation ${k}`, v]);
  for (const [k, v] of Object.entries(o.metadata.labels ?? {}))
    fields.push([`${id} label ${k}`, v]);
  if (o.kind === 'ConfigMap')
    for (const [k, v] of Object.entries(o.data ?? {})) fields.push([`${id} data ${k}`, v]);
  const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const [i, a] of [...(c.command ?? []), ...(c.args ?? [])].entries())
      fields.push([`${id} ${c.name} command/args[${i}]`, a]);
    for (const e of c.env ?? [])
      if (e.value !== undefined) fields.push([`${id} ${c.name} env ${e.name}`, e.value]);
  }
  for (const t of o.spec?.triggers ?? [])
    for (const [k, v] of Object.entries(t.metadata ?? {}))
      fields.push([`${id} trigger ${t.type} ${k}`, v]);
  return fields;
}

describe('kubectl kustomize', () => {
  it('renders every overlay with quoted strings: no YAML 1.1 boolean (off, yes) in a string field', () => {
    for (const overlay of OVERLAYS) {
      const objects = build(path.join(ROOT, 'k8s/overlays', overlay));
      expect(objects.length).toBeGreaterThan(5);
      const notStrings = objects
        .flatMap(stringFields)
        .filter(([, value]) => typeof value !== 'string');
      expect(notStrings).toEqual([]);
    }
  });

  it('keeps the two values the home-made renderer broke: proxy-buffering "off" and Redis "yes"', () => {
    const prod = renderKustomization(path.join(ROOT, 'k8s/overlays/prod'));
    expect(prod).toMatch(/proxy-buffering: "off"/);
    const ingress = build(path.join(ROOT, 'k8s/overlays/prod')).find((o) => o.kind === 'Ingress');
    expect(ingress?.metadata.annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe(
      'off',
    );
    const redis = build(path.join(ROOT, 'k8s/overlays/dev')).find(
      (o) => o.kind === 'StatefulSet' || (o.kind === 'Deployment' && /redis/.test(o.metadata.name)),
    ) as any;
    const args: unknown[] = redis.spec.template.spec.containers[0].args ?? [];
    expect(args).toContain('yes');
  });

  it('would catch the regression: unquoted, a YAML 1.1 parser reads them as booleans', () => {
    const unquoted =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: off, b: yes }\n';
    expect(parseYamlStream(unquoted, 'yaml-1.1')[0].data).toEqual({ a: false, b: true });
    // what a YAML 1.2 writer (the yaml package's stringify) emits for them is not safe either
    expect(stringify({ a: 'off' })).toBe('a: off\n');
  });

  it('says when kubectl is missing', () => {
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-kubectl-'));
    expect(() =>
      renderKustomization(path.join(ROOT, 'k8s/overlays/dev'), { PATH: emptyDir }),
    ).toThrow(KubectlMissingError);
    fs.rmSync(emptyDir, { recursive: true, force: true });
  });

  it("reports a broken kustomization with kubectl's message", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [missing.yaml]\n');
    expect(() => build(dir)).toThrow(/kubectl kustomize .* failed: .*missing\.yaml/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('splits image references', () => {
    expect(splitImage('localhost:5000/a/b:1.2')).toEqual({
      name: 'localhost:5000/a/b',
      tag: ':1.2',
    });
    expect(splitImage('a@sha256:ff')).toEqual({ name: 'a', tag: '@sha256:ff' });
  });
});
