// The dashboard runs in the browser. The workspace typecheck (root tsconfig.json, lib ES2022)
// includes apps/**/*.ts, so the DOM library is referenced here rather than only in
// apps/dashboard/tsconfig.json.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
