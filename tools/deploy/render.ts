import { stringify } from 'yaml';
import { build } from './kustomize';

/** `node -r @swc-node/register tools/deploy/render.ts k8s/overlays/prod > engram.yaml` */
const dir = process.argv[2];
if (!dir) {
  console.error('usage: render.ts <kustomization directory>');
  process.exit(2);
}
process.stdout.write(
  build(dir)
    .map((o) => stringify(o))
    .join('---\n'),
);
