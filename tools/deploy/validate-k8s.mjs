// Validates Kubernetes objects (JSON array on stdin) against the OpenAPI schemas of the
// `kubernetes-models` package (KEDA's CRD schemas for keda.sh). ESM because those packages are
// ESM-only; tools/deploy/k8s.spec.ts runs it as a child process. Prints a JSON array of errors.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const errors = [];
for (const object of objects) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const module = group.endsWith('keda.sh')
    ? `@kubernetes-models/keda/${group}/${version}/${object.kind}`
    : `kubernetes-models/${group === '' ? version : `${group}/${version}`}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    errors.push(`${id}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    errors.push(`${id}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(errors));
