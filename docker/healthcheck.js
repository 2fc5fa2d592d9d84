// Container HEALTHCHECK, dependency-free (the images have no curl).
//   node docker/healthcheck.js api     GET http://127.0.0.1:$PORT/health must answer 200
//   node docker/healthcheck.js worker  the queue's Redis (REDIS_URL) must answer PING
// The worker has no HTTP server; its check reports a worker cut off from its queue.
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

async function main(mode) {
  if (mode === 'api') return checkApi(Number(process.env.PORT || 3000));
  if (mode === 'worker') {
    if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set');
    return checkRedis(process.env.REDIS_URL);
  }
  throw new Error(`usage: healthcheck.js api|worker, got ${mode}`);
}

module.exports = { checkApi, checkRedis };
if (require.main === module) {
  main(process.argv[2]).then(
    () => process.exit(0),
    (error) => {
      console.error(`unhealthy: ${error.message}`);
      process.exit(1);
    },
  );
}
