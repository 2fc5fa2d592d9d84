// Removes from node_modules every package the images do not need at run time, using the
// lockfile's tree: keeps the closure of the production and optional dependencies of package.json
// plus --keep packages (the TypeScript loader the apps start with: `node -r @swc-node/register`),
// minus --drop packages (and whatever only they needed). Plain CommonJS: it runs in the image's
// build stage before any TypeScript tooling. `--dry-run` lists what would be removed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The lockfile key a dependency `name` of the package at `from` resolves to (node's lookup). */
function resolve(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

/** Lockfile keys (node_modules/...) of the run-time closure. */
function closure(lock, { keep = [], drop = [] } = {}) {
  const packages = lock.packages;
  const root = packages[''];
  const roots = [
    ...Object.keys(root.dependencies ?? {}),
    ...Object.keys(root.optionalDependencies ?? {}),
    ...keep,
  ].filter((name) => !drop.includes(name));
  const needed = new Set();
  const visit = (from, name, optional) => {
    const key = resolve(packages, from, name);
    if (!key) {
      if (optional) return;
      throw new Error(`${from || 'package.json'} needs ${name}, which is not in the lockfile`);
    }
    if (needed.has(key)) return;
    needed.add(key);
    const pkg = packages[key];
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(key, dep, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(key, dep, true);
    // npm installs peers; a run-time require of one (e.g. @swc-node/register -> typescript) needs it.
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) visit(key, dep, true);
  };
  for (const name of roots) visit('', name, Boolean(root.optionalDependencies?.[name]));
  return needed;
}

function main(argv) {
  const option = (flag) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
  const dir = process.cwd();
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
  const needed = closure(lock, { keep: option('--keep'), drop: option('--drop') });
  const removed = Object.keys(lock.packages).filter(
    (key) =>
      key.startsWith('node_modules/') && !needed.has(key) && fs.existsSync(path.join(dir, key)),
  );
  for (const key of removed) {
    if (argv.includes('--dry-run')) console.log(key);
    else fs.rmSync(path.join(dir, key), { recursive: true, force: true });
  }
  console.error(`prune-modules: kept ${needed.size} packages, removed ${removed.length}`);
}

module.exports = { closure, resolve };
if (require.main === module) main(process.argv.slice(2));
