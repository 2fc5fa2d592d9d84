import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { QueueConnectionConfig, QueueName, hashTagOf } from '@engram/queue';
import { K8sObject, build, podSpecOf, splitImage } from './kubectl-kustomize';
import {
  APP_LOADERS,
  Env,
  ROOT,
  SAMPLES,
  apiGetRoutes,
  dockerStages,
  read,
  requiredVariables,
  sourceOfImageCommand,
} from './workspace';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { HEARTBEAT_INTERVAL_MS } from '../../apps/worker/src/heartbeat';

/* eslint-disable @typescript-eslint/no-explicit-any */
const OVERLAYS = ['dev', 'prod', 'prod-redis-cluster'];
const NAMESPACES: Record<string, string> = {
  dev: 'engram-dev',
  prod: 'engram',
  'prod-redis-cluster': 'engram',
};
const rendered = Object.fromEntries(
  OVERLAYS.map((o) => [o, build(path.join(ROOT, 'k8s/overlays', o))]),
) as Record<string, K8sObject[]>;
const stages = dockerStages();

/** The app a container runs: image -> Dockerfile target -> CMD (or the container's args). */
function entryOf(container: any): { target: string; entry: string; env: Env } {
  const name = splitImage(container.image).name.split('/').pop() as string;
  const target = name.replace(/^engram-/, '');
  const stage = stages.find((s) => s.name === target);
  if (!name.startsWith('engram-') || !stage)
    throw new Error(`${container.image}: no Dockerfile target`);
  const command = container.args ?? stage.cmd;
  expect(container.command).toBeUndefined(); // keeps tini as PID 1
  return { target, entry: sourceOfImageCommand(command), env: stage.env };
}

/** The environment a container gets, with secret values from the overlay or samples. */
function environmentOf(objects: K8sObject[], container: any): Env {
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as any;
  const data = (kind: string, name: string): Record<string, string> | undefined => {
    const o = find(kind, name);
    if (!o) return undefined;
    return kind === 'Secret'
      ? Object.fromEntries(
          Object.entries(o.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]),
        )
      : o.data;
  };
  const env: Env = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const values = data(from.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    if (!values) throw new Error(`envFrom: no ${ref.name}`);
    Object.assign(env, values);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const value = data('ConfigMap', ref.name)?.[ref.key];
      if (value === undefined && !ref.optional)
        throw new Error(`${e.name}: no ${ref.name}.${ref.key}`);
      if (value !== undefined) env[e.name] = value;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      expect(ref.name).toMatch(/^engram-secrets/);
      const values = data('Secret', ref.name); // undefined: created out of band (prod)
      const value = values ? values[ref.key] : SAMPLES[ref.key];
      if (value === undefined && !ref.optional)
        throw new Error(`${e.name}: no ${ref.name}.${ref.key}`);
      if (value !== undefined) env[e.name] = value;
    } else if (e.valueFrom?.fieldRef) env[e.name] = 'pod-name';
  }
  return env;
}

function appContainers(objects: K8sObject[]) {
  return objects.flatMap((o) =>
    ((podSpecOf(o)?.containers ?? []) as any[])
      .filter((c) => /engram-/.test(c.image))
      .map((c) => ({ object: o, pod: podSpecOf(o) as any, container: c, ...entryOf(c) })),
  );
}

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  const objects = rendered[overlay];
  const get = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as any;

  it('has the API, the worker, the migration and their PodDisruptionBudgets', () => {
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const id of [
      'Deployment/engram-api',
      'Service/engram-api',
      'Deployment/engram-worker',
      'Job/engram-migrate',
      'PodDisruptionBudget/engram-api',
      'PodDisruptionBudget/engram-worker',
    ])
      expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of objects) expect(o.metadata.namespace).toBe(NAMESPACES[overlay]);
  });

  it('runs the apps with every variable they require, and values their config accepts', () => {
    const apps = appContainers(objects);
    expect(apps.map((a) => a.entry).sort()).toEqual(Object.keys(APP_LOADERS).sort());
    for (const { entry, env: imageEnv, container } of apps) {
      const { loader, load } = APP_LOADERS[entry];
      expect(read(entry)).toContain(`${loader}(`);
      const env = { ...imageEnv, ...environmentOf(objects, container) };
      for (const variable of requiredVariables(load)) expect(Object.keys(env)).toContain(variable);
      expect(() => load(env)).not.toThrow();
    }
  });

  it('connects API and workers to the same Redis and prefix (hash-tagged in cluster mode)', () => {
    const queues = appContainers(objects)
      .filter((a) => a.entry !== 'apps/api/src/migrate.ts')
      .map(({ entry, env, container }) => {
        const config = APP_LOADERS[entry].load({ ...env, ...environmentOf(objects, container) });
        return (config as { queue: QueueConnectionConfig }).queue;
      });
    expect(queues).toHaveLength(2);
    expect(queues[1]).toEqual(queues[0]);
    const [{ redis, prefix }] = queues;
    expect(redis.cluster).toBe(overlay === 'prod-redis-cluster');
    if (redis.cluster) expect(hashTagOf(prefix)).toBe('engram');
  });

  it('gives workers longer to stop than their graceful-shutdown bound', () => {
    const [worker] = appContainers(objects).filter((a) => a.entry === 'apps/worker/src/main.ts');
    const env = { ...worker.env, ...environmentOf(objects, worker.container) };
    const config = APP_LOADERS[worker.entry].load(env) as any;
    expect(worker.pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      config.shutdownGraceMs + 10_000,
    );
    // one CPU per evaluation thread at most
    expect(parseFloat(worker.container.resources.limits.cpu)).toBeGreaterThanOrEqual(
      config.runWorker.concurrency,
    );
  });

  it('sets requests, limits and probes on real routes; liveness checks no dependency', () => {
    const routes = apiGetRoutes();
    for (const { container, object, entry } of appContainers(objects)) {
      for (const r of ['requests', 'limits'])
        expect(Object.keys(container.resources[r]).sort()).toEqual(['cpu', 'memory']);
      if (object.kind !== 'Deployment') continue;
      if (entry === 'apps/api/src/main.ts') {
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          expect(routes).toContain(probe.httpGet.path);
          expect(container.ports.map((p: any) => p.name)).toContain(probe.httpGet.port);
        }
        // readiness may depend on the database; liveness is the route that touches nothing
        expect(container.readinessProbe.httpGet.path).toBe('/health');
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      } else {
        // the worker: its heartbeat file, on a writable mount, read by the image's probe script
        const env = environmentOf(objects, container);
        expect(container.livenessProbe.exec.command).toEqual([
          'node',
          'docker/healthcheck.js',
          'worker-alive',
        ]);
        expect(read('docker/healthcheck.js')).toContain("mode === 'worker-alive'");
        const mounts = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
        expect(mounts.some((m: string) => env.WORKER_HEARTBEAT_FILE.startsWith(`${m}/`))).toBe(
          true,
        );
        expect(container.livenessProbe.periodSeconds * 1000).toBeGreaterThanOrEqual(
          (HEARTBEAT_INTERVAL_MS as number) * 2,
        );
      }
    }
    expect(routes).toContain('/health');
  });

  it('cross-references selectors, Services, Ingresses, PDBs and autoscalers', () => {
    const matchesPods = (selector: Record<string, string>, kind = 'Deployment') =>
      objects.filter(
        (o) =>
          o.kind === kind &&
          Object.entries(selector).every(
            ([k, v]) => (o as any).spec.template.metadata.labels[k] === v,
          ),
      );
    for (const d of objects.filter((o) => o.kind === 'Deployment') as any[])
      expect(matchesPods(d.spec.selector.matchLabels)).toContain(d);
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget') as any[])
      expect(matchesPods(pdb.spec.selector.matchLabels)).toHaveLength(1);
    for (const svc of objects.filter((o) => o.kind === 'Service') as any[]) {
      const [target] = matchesPods(svc.spec.selector);
      expect(target).toBeDefined();
      const ports = (target as any).spec.template.spec.containers.flatMap(
        (c: any) => c.ports ?? [],
      );
      for (const port of svc.spec.ports)
        expect(
          ports.some((p: any) => p.name === port.targetPort || p.containerPort === port.targetPort),
        ).toBe(true);
    }
    for (const ing of objects.filter((o) => o.kind === 'Ingress') as any[])
      for (const rule of ing.spec.rules)
        for (const p of rule.http.paths) {
          const svc = get('Service', p.backend.service.name);
          expect(svc.spec.ports.map((x: any) => x.name)).toContain(p.backend.service.port.name);
        }
    const scaled = objects.filter(
      (o) => o.kind === 'ScaledObject' || o.kind === 'HorizontalPodAutoscaler',
    ) as any[];
    expect(scaled).toHaveLength(1); // KEDA or HPA, never both on one Deployment
    for (const s of scaled) expect(get('Deployment', s.spec.scaleTargetRef.name)).toBeDefined();
  });

  it('scales on the BullMQ lists the workers really use, with a fallback (KEDA)', () => {
    const so = get('ScaledObject', 'engram-worker');
    if (!so) return expect(overlay).toBe('dev');
    const worker = appContainers(objects).find((a) => a.entry === 'apps/worker/src/main.ts') as any;
    const env = { ...worker.env, ...environmentOf(objects, worker.container) };
    const { queue } = APP_LOADERS[worker.entry].load(env) as { queue: QueueConnectionConfig };
    const lists = so.spec.triggers.map((t: any) => t.metadata.listName);
    expect(lists).toEqual(
      ['wait', 'active'].map((list) => `${queue.prefix}:${QueueName.SimulationRuns}:${list}`),
    );
    for (const trigger of so.spec.triggers) {
      expect(trigger.type).toBe(queue.redis.cluster ? 'redis-cluster' : 'redis');
      expect(trigger.metadata.listLength).toBe(env.WORKER_CONCURRENCY);
      // nothing tied to a Kubernetes namespace, and the variables KEDA reads exist on the target
      expect(JSON.stringify(trigger)).not.toMatch(/namespace/i);
      const fromEnv = Object.entries(trigger.metadata)
        .filter(([key]) => key.endsWith('FromEnv'))
        .map(([, value]) => value);
      expect(fromEnv.sort()).toEqual(['REDIS_ADDRESS', 'REDIS_PASSWORD']);
      const names = worker.container.env.map((e: any) => e.name);
      for (const name of fromEnv) expect(names).toContain(name);
    }
    expect(so.spec.fallback.failureThreshold).toBeGreaterThanOrEqual(1);
    expect(so.spec.fallback.replicas).toBeGreaterThanOrEqual(so.spec.minReplicaCount);
  });
});

it('every rendered object is valid against the Kubernetes (and KEDA CRD) OpenAPI schemas', () => {
  const all = Object.values(rendered).flat();
  const errors = JSON.parse(
    execFileSync(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], {
      input: JSON.stringify(all),
      cwd: ROOT,
    }).toString(),
  );
  expect(errors).toEqual([]);
  expect(new Set(all.map((o) => o.kind))).toEqual(
    new Set([
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'Job',
      'ConfigMap',
      'Secret',
      'HorizontalPodAutoscaler',
      'ScaledObject',
      'Ingress',
    ]),
  );
}, 15_000);
