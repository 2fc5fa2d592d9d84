// Container HEALTHCHECK, dependency-free (the images have no curl).
//   node docker/healthcheck.js api     GET http://127.0.0.1:$PORT/health must answer 200
//   node docker/healthcheck.js worker  the queue's Redis (REDIS_URL) must answer PING
//   node docker/healthcheck.js worker-alive
//                                      the worker's heartbeat file (WORKER_HEARTBEAT_FILE) must
//                                      be younger than HEARTBEAT_MAX_AGE_MS (30 s): liveness
// The worker has no HTTP server; `worker` reports a worker cut off from its queue (for Docker),
// `worker-alive` one whose event loop is stuck (for the Kubernetes liveness probe: it does not
// depend on Redis, so a Redis outage does not restart the fleet).
'use strict';
const http = require('node:http');
const net = require('node:net');
const tls = require('node:tls');

const TIMEOUT_MS = 4000;

function checkApi(port) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: '/health', timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`/health answered ${res.statusCode}`));
      },
    );
    request.on('timeout', () => request.destroy(new Error('/health timed out')));
    request.on('error', reject);
  });
}

/** RESP command encoding. */
function command(...args) {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function checkRedis(url) {
  const parsed = new URL(url);
  const options = { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
  return new Promise((resolve, reject) => {
    const socket =
      parsed.protocol === 'rediss:'
        ? tls.connect({ ...options, servername: options.host })
        : net.connect(options);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('Redis timed out')));
    socket.on('error', reject);
    let replies = '';
    const auth = parsed.password
      ? [decodeURIComponent(parsed.username || 'default'), decodeURIComponent(parsed.password)]
      : null;
    socket.on(parsed.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      socket.write((auth ? command('AUTH', ...auth) : '') + command('PING'));
    });
    socket.on('data', (chunk) => {
      replies += chunk.toString('utf8');
      if (replies.startsWith('-')) {
        socket.destroy();
        reject(new Error(`Redis: ${replies.split('\r\n')[0]}`));
      } else if (replies.includes('+PONG')) {
        socket.end();
        resolve();
      }
    });
  });
}

const fs = require('node:fs');

async function checkHeartbeat(file, maxAgeMs) {
  let stats;
  try {
    stats = fs.statSync(file);
  } catch {
    throw new Error(`no heartbeat file ${file}`);
  }
  const ageMs = Date.now() - stats.mtimeMs;
  if (ageMs > maxAgeMs) {
    throw new Error(
      `heartbeat ${file} is ${Math.round(ageMs / 1000)} s old (max ${maxAgeMs / 1000} s)`,
    );
  }
}

async function main(mode) {
  if (mode === 'api') return checkApi(Number(process.env.PORT || 3000));
  if (mode === 'worker') {
    if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set');
    return checkRedis(process.env.REDIS_URL);
  }
  if (mode === 'worker-alive') {
    if (!process.env.WORKER_HEARTBEAT_FILE) throw new Error('WORKER_HEARTBEAT_FILE is not set');
    return checkHeartbeat(
      process.env.WORKER_HEARTBEAT_FILE,
      Number(process.env.HEARTBEAT_MAX_AGE_MS || 30000),
    );
  }
  throw new Error(`usage: healthcheck.js api|worker|worker-alive, got ${mode}`);
}

module.exports = { checkApi, checkRedis, checkHeartbeat };
if (require.main === module) {
  main(process.argv[2]).then(
    () => process.exit(0),
    (error) => {
      console.error(`unhealthy: ${error.message}`);
      process.exit(1);
    },
  );
}
