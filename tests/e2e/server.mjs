// A tiny static server for the built site, mounted under a sub-path (as the hosted demo is).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png',
};

/** Serves `dist` under `publicUrl` on 127.0.0.1 (random port). Resolves to {url, close}. */
export function serve(dist, publicUrl) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (!url.pathname.startsWith(publicUrl)) { res.writeHead(404); res.end('outside the public url'); return; }
    let rel = decodeURIComponent(url.pathname.slice(publicUrl.length)) || 'index.html';
    const file = path.resolve(dist, rel);
    if (!file.startsWith(path.resolve(dist))) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}${publicUrl}`, close: () => new Promise((r) => server.close(r)) });
  }));
}
