#!/usr/bin/env bash
# Reproduces the file tree of the images' runtime stages without Docker (none runs on our
# machines) and prints its size: the same steps as docker/Dockerfile, into a temp folder.
#   bash docker/measure-runtime.sh            # sizes
#   bash docker/measure-runtime.sh --smoke    # sizes, then run the tree: migrations, API, worker
#                                             # (TEST_DATABASE_URL / TEST_REDIS_URL, own schema and
#                                             # queue prefix) and one evaluation with plain node
# The build stage's `npm ci` is this checkout's node_modules; the deps stage runs
# docker/install-runtime-deps.sh for real (npm, from the registry or its cache).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/engram-image-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build stage: compile, dashboard" >&2
node tools/deploy/compile.js "$work/out"
npm run --silent build:dashboard -- --outDir "$work/dashboard" --emptyOutDir --logLevel warn >&2

echo "== deps stage: docker/install-runtime-deps.sh" >&2
mkdir -p "$work/deps/docker"
cp package.json package-lock.json "$work/deps/"
cp docker/install-runtime-deps.sh "$work/deps/docker/"
(cd "$work/deps" && sh docker/install-runtime-deps.sh --prefer-offline --loglevel=error >&2)

echo "== runtime stage" >&2
rt="$work/app"
mkdir -p "$rt/docker" "$rt/apps"
mv "$work/deps/node_modules" "$rt/node_modules"
cp package.json "$rt/"
cp -r "$work/out/libs" "$rt/libs"
# models without training/ (.dockerignore)
(cd "$ROOT" && tar --exclude='models/*/training' -cf - models) | (cd "$rt" && tar -xf -)
cp docker/healthcheck.js "$rt/docker/"

mb() { du -sb "$@" | awk '{ sum += $1 } END { printf "%.1f", sum / 1e6 }'; }
runtime_mb=$(mb "$rt")
api_mb=$(mb "$work/out/apps/api" "$work/dashboard")
worker_mb=$(mb "$work/out/apps/worker")
printf '\nContent of the images, without the node base image (MB = 10^6 bytes):\n'
printf '| part | MB |\n|---|---:|\n'
printf '| runtime stage (shared): total | %s |\n' "$runtime_mb"
printf '| - node_modules (production, this platform) | %s |\n' "$(mb "$rt/node_modules")"
printf '| - libs (compiled) | %s |\n' "$(mb "$rt/libs")"
printf '| - models (artifacts) | %s |\n' "$(mb "$rt/models")"
printf '| api target: + apps/api (compiled) + dashboard | %s |\n' "$api_mb"
printf '| worker target: + apps/worker (compiled) | %s |\n' "$worker_mb"
printf '| **api image content** | **%s** |\n' "$(awk "BEGIN { printf \"%.1f\", $runtime_mb + $api_mb }")"
printf '| **worker image content** | **%s** |\n' "$(awk "BEGIN { printf \"%.1f\", $runtime_mb + $worker_mb }")"
printf 'largest packages:\n'
(cd "$rt/node_modules" && du -sm -- * @*/* 2>/dev/null | sort -rn | head -8 | awk '{ printf "  %5d MB  %s\n", $1, $2 }')

[ "${1:-}" = "--smoke" ] || exit 0

echo "== smoke: the runtime tree with plain node" >&2
cp -r "$work/out/apps/api" "$work/out/apps/worker" "$rt/apps/"
mkdir -p "$rt/apps/dashboard" && cp -r "$work/dashboard" "$rt/apps/dashboard/dist"
suffix=$(node -p "require('node:crypto').randomBytes(4).toString('hex')")
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export NODE_ENV=production
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export DATABASE_SCHEMA=engram_image_$suffix
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
export QUEUE_PREFIX=engram_image_$suffix
export ENGRAM_MODELS_DIR=$rt/models
drop() {
  psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS \"$DATABASE_SCHEMA\" CASCADE" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern "$QUEUE_PREFIX:*" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
  cleanup
}
trap drop EXIT
cd "$rt"
node apps/api/src/migrate.js >&2
HOST=127.0.0.1 PORT=$port node apps/api/src/main.js >"$work/api.log" 2>&1 &
pids+=($!)
WORKER_CONCURRENCY=1 WORKER_HEARTBEAT_FILE="$work/worker.alive" node apps/worker/src/main.js >"$work/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && grep -q 'ready' "$work/worker.log" && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/health/live" && echo
curl -fsS "http://127.0.0.1:$port/health" && echo
curl -fsS -o /dev/null -w 'dashboard: HTTP %{http_code}\n' "http://127.0.0.1:$port/"
grep -m1 'ready' "$work/worker.log"
WORKER_HEARTBEAT_FILE="$work/worker.alive" node docker/healthcheck.js worker-alive && echo 'worker heartbeat: alive'
node -e "
  require('./libs/engine-onnx/src');
  require('./libs/evaluation/src').evaluate({ model: 'resnet-mnist', camThreshold: 0.1, memorySize: 2, seed: 1, sampleCount: 50 })
    .then((r) => console.log('evaluation: resnet-mnist on ' + r.samples + ' digits, dynamic accuracy ' + r.dynamicAccuracy + ', engine ' + r.engine));
"
echo 'smoke: ok'
