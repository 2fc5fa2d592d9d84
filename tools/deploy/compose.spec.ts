import { parse } from 'yaml';
import {
  APP_LOADERS,
  ROOT,
  dockerStages,
  read,
  requiredVariables,
  sourceOfImageCommand,
} from './workspace';
import * as fs from 'node:fs';
import * as path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */
const compose = parse(read('docker/compose.yaml'), { merge: true });
const services = compose.services as Record<string, any>;
const stages = dockerStages();
const interpolate = (v: string) => v.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

describe('docker/compose.yaml', () => {
  const apps = Object.entries(services).filter(([, s]) => s.build);

  it('builds app images from Dockerfile targets named like the images', () => {
    expect(apps.map(([n]) => n).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [, s] of apps) {
      expect(fs.existsSync(path.join(ROOT, 'docker', s.build.context, s.build.dockerfile))).toBe(
        true,
      );
      expect(stages.map((st) => st.name)).toContain(s.build.target);
      expect(s.image).toBe(`engram-${s.build.target}`);
    }
  });

  it('gives every app the variables it requires, with values its config accepts', () => {
    const entries = apps.map(([, s]) => {
      const stage = stages.find((st) => st.name === s.build.target) as any;
      const command = s.command ?? stage.cmd;
      const entry = sourceOfImageCommand(command);
      const env = { ...stage.env, ...s.environment };
      for (const k of Object.keys(env)) env[k] = interpolate(String(env[k]));
      const { load } = APP_LOADERS[entry];
      for (const variable of requiredVariables(load)) expect(Object.keys(env)).toContain(variable);
      expect(() => load(env)).not.toThrow();
      if (entry === 'apps/worker/src/main.ts') {
        const grace = parseInt(s.stop_grace_period, 10) * 1000;
        expect(grace).toBeGreaterThanOrEqual((load(env) as any).shutdownGraceMs + 10_000);
        expect(s.container_name).toBeUndefined(); // --scale worker=N
        expect(s.ports).toBeUndefined();
      }
      return entry;
    });
    expect(entries.sort()).toEqual(Object.keys(APP_LOADERS).sort());
  });

  it('points the apps at the compose PostgreSQL and Redis', () => {
    const pg = services.postgres.environment;
    for (const [, s] of apps) {
      const db = new URL(s.environment.DATABASE_URL);
      expect([db.hostname, db.port, db.username, db.password, db.pathname]).toEqual([
        'postgres',
        '5432',
        pg.POSTGRES_USER,
        pg.POSTGRES_PASSWORD,
        `/${pg.POSTGRES_DB}`,
      ]);
      if (s.environment.REDIS_URL) expect(new URL(s.environment.REDIS_URL).hostname).toBe('redis');
    }
  });

  it('starts in health order: databases healthy, migration done, then API and workers', () => {
    for (const name of ['postgres', 'redis']) expect(services[name].healthcheck.test).toBeDefined();
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      const deps = services[name].depends_on;
      expect(deps.postgres.condition).toBe('service_healthy');
      expect(deps.redis.condition).toBe('service_healthy');
      expect(deps.migrate.condition).toBe('service_completed_successfully');
    }
    for (const s of Object.values(services))
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep]).toBeDefined();
  });

  it('declares the volumes it mounts and publishes the API port on 127.0.0.1 by default', () => {
    for (const s of Object.values(services))
      for (const v of s.volumes ?? [])
        expect(Object.keys(compose.volumes)).toContain(v.split(':')[0]);
    const [published] = services.api.ports;
    const [address, hostPort, containerPort] = interpolate(published).split(':');
    expect(containerPort).toBe(services.api.environment.PORT);
    expect(hostPort).toBe('3000');
    // without a key the API is open: by default it is published on the loopback interface only
    expect(interpolate(services.api.environment.API_KEY)).toBe('');
    expect(address).toBe('127.0.0.1');
  });
});
