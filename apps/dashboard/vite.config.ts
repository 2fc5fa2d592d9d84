// Production build of the dashboard: `vite build --config apps/dashboard/vite.config.ts` writes
// apps/dashboard/dist/, which the API serves at `/`. A plain object (no import from 'vite') so the
// workspace's CommonJS typecheck can include this file.
import * as path from 'node:path';
import { precompressPlugin } from './precompress';

const root = __dirname;

export default {
  root,
  base: './',
  publicDir: false,
  // .br and .gz beside each text file, served by the API by Accept-Encoding.
  plugins: [precompressPlugin()],
  resolve: {
    alias: { '@engram/api-client': path.resolve(root, '../../libs/api-client/src/index.ts') },
  },
  build: {
    outDir: path.resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `vite --config apps/dashboard/vite.config.ts` against an API on :3000.
    proxy: Object.fromEntries(
      ['/sweeps', '/runs', '/models', '/sweep-spec', '/health'].map((p) => [
        p,
        { target: process.env.ENGRAM_API_URL ?? 'http://127.0.0.1:3000', changeOrigin: true },
      ]),
    ),
  },
};
