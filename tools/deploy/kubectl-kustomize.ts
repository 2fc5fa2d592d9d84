import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: any };
  [key: string]: any;
}

/** Thrown when no kubectl (with kustomize components: 1.21 or later) is on the PATH. */
export class KubectlMissingError extends Error {
  constructor(detail: string) {
    super(
      `kubectl is required to render k8s/ (kubectl kustomize, 1.21 or later for components): ${detail}. ` +
        'Install it (https://kubernetes.io/docs/tasks/tools/) and put it on the PATH.',
    );
    this.name = 'KubectlMissingError';
  }
}

/** `kubectl kustomize <dir>` as text: exactly what `kubectl apply -k <dir>` would send. */
export function renderKustomization(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      env,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new KubectlMissingError('not found on the PATH');
    throw new Error(
      `kubectl kustomize ${dir} failed: ${failure.stderr?.trim() || failure.message}`,
    );
  }
}

/**
 * The objects of a kustomization, rendered by `kubectl kustomize` and parsed as YAML 1.1 (the
 * version Kubernetes' own parser and many tools read), so an unquoted `off` or `yes` would come
 * back as a boolean and fail the checks.
 */
export function build(dir: string): K8sObject[] {
  return parseYamlStream(renderKustomization(dir), 'yaml-1.1');
}

export function parseYamlStream(text: string, schema: 'yaml-1.1' | 'core'): K8sObject[] {
  return parseAllDocuments(text, { version: schema === 'yaml-1.1' ? '1.1' : '1.2' })
    .map((document) => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function podSpecOf(o: K8sObject): any {
  const spec = o.spec;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}

/** `registry:5000/a/b:1.2` -> name `registry:5000/a/b`, tag `:1.2` (or `@sha256:...`). */
export function splitImage(image: string): { name: string; tag: string } {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/'))
    return { name: withoutDigest.slice(0, colon), tag: image.slice(colon) };
  return { name: withoutDigest, tag: at >= 0 ? image.slice(at) : '' };
}
