#!/usr/bin/env node
// Dev/test server for the e-WOKiSS static site (node stdlib only).
//
//   node static-site/serve.mjs --port 8080 --lambda http://127.0.0.1:9000 \
//        --cognito http://127.0.0.1:5000 --config /path/to/config.json [--dist DIR] [--host 127.0.0.1]
//
// - serves the built site (static-site/dist); unknown extension-less paths → index.html (SPA)
// - GET /config.json from --config
// - /api/staff/*    → ${lambda}/lambda-url/staff-api/api/staff/*        (cargo lambda watch)
//   /api/extranet/* → ${lambda}/lambda-url/extranet-api/api/extranet/*
//   /auth/*         → ${cognito}/*                                      (Cognito emulator)
//   method, headers, body, status and query string passed through
// - one log line per request
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT || '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    lambda: { type: 'string', default: 'http://127.0.0.1:9000' },
    cognito: { type: 'string', default: 'http://127.0.0.1:5000' },
    config: { type: 'string' },
    dist: { type: 'string', default: path.join(here, 'dist') },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help) {
  console.log('usage: node serve.mjs --port P --lambda URL --cognito URL --config PATH [--dist DIR] [--host ADDR]');
  process.exit(0);
}

const dist = path.resolve(args.dist);
const lambda = new URL(args.lambda);
const cognito = new URL(args.cognito);

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

// hop-by-hop headers are not forwarded (RFC 9110 §7.6.1)
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function log(req, status, started, note = '') {
  const ms = (performance.now() - started).toFixed(0);
  console.log(`${new Date().toISOString()} ${req.method} ${req.url} ${status} ${ms}ms${note ? ` ${note}` : ''}`);
}

function sendJson(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-store' });
  res.end(data);
}

function proxy(req, res, base, targetPath, started) {
  const target = new URL(targetPath, base);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  headers.host = target.host;
  headers['x-forwarded-for'] = req.socket.remoteAddress || '';
  headers['x-forwarded-host'] = req.headers.host || '';
  headers['x-forwarded-proto'] = 'http';
  const mod = target.protocol === 'https:' ? https : http;
  const upstream = mod.request(
    target,
    { method: req.method, headers },
    (up) => {
      const out = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode || 502, out);
      up.pipe(res);
      up.on('end', () => log(req, up.statusCode, started, `→ ${target.origin}${target.pathname}`));
    },
  );
  upstream.on('error', (err) => {
    log(req, 502, started, `→ ${target.origin}${target.pathname} ${err.code || err.message}`);
    if (!res.headersSent) {
      sendJson(res, 502, {
        error: 'bad_gateway',
        message: { pl: 'Serwer aplikacji jest niedostępny.', en: 'The application server is unavailable.' },
      });
    } else {
      res.destroy(err);
    }
  });
  req.pipe(upstream);
}

function serveFile(req, res, file, started, cache) {
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  let st;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': st.size, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  log(req, 200, started);
  return true;
}

const server = http.createServer((req, res) => {
  const started = performance.now();
  const url = new URL(req.url, 'http://localhost');
  const p = url.pathname;

  if (p.startsWith('/api/staff/') || p === '/api/staff') {
    return proxy(req, res, lambda, `/lambda-url/staff-api${p}${url.search}`, started);
  }
  if (p.startsWith('/api/extranet/') || p === '/api/extranet') {
    return proxy(req, res, lambda, `/lambda-url/extranet-api${p}${url.search}`, started);
  }
  if (p === '/auth' || p.startsWith('/auth/')) {
    return proxy(req, res, cognito, `/${p.replace(/^\/auth\/?/, '')}${url.search}`, started);
  }
  if (p.startsWith('/api/')) {
    log(req, 404, started);
    return sendJson(res, 404, { error: 'not_found', message: { pl: 'Nie znaleziono.', en: 'Not found.' } });
  }

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    log(req, 405, started);
    res.writeHead(405, { Allow: 'GET, HEAD' });
    return res.end();
  }

  if (p === '/config.json' && args.config) {
    try {
      const body = readFileSync(args.config);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return log(req, 200, started);
    } catch (err) {
      log(req, 500, started, err.message);
      return sendJson(res, 500, { error: 'config', message: { pl: 'Brak pliku konfiguracji.', en: 'Configuration file missing.' } });
    }
  }

  let rel;
  try {
    rel = decodeURIComponent(p);
  } catch {
    log(req, 400, started);
    res.writeHead(400);
    return res.end();
  }
  const file = path.join(dist, path.normalize(rel));
  if (file !== dist && !file.startsWith(dist + path.sep)) {
    log(req, 403, started);
    res.writeHead(403);
    return res.end();
  }
  const isIndex = rel === '/' || rel === '/index.html';
  if (!isIndex) {
    const cache = rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (serveFile(req, res, file, started, cache)) return undefined;
    if (path.extname(rel)) {
      log(req, 404, started);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('Not found\n');
    }
  }
  // SPA fallback: index.html, never cached
  if (serveFile(req, res, path.join(dist, 'index.html'), started, 'no-store, no-cache, must-revalidate')) return undefined;
  log(req, 500, started, 'dist/index.html missing (run npm --prefix static-site run build)');
  res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
  return res.end('dist/index.html missing: run `npm --prefix static-site run build`\n');
});

server.listen(Number(args.port), args.host, () => {
  const a = server.address();
  console.log(`e-WOKiSS static site on http://${a.address}:${a.port} (dist ${dist}; api → ${lambda.origin}; auth → ${cognito.origin}; config ${args.config || '(none)'})`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
