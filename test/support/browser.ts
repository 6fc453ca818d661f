// Real browsers for tests: Debian's Chromium (apt-get install chromium; .ci/run does it) driven
// headless by playwright-core, and a static file server on localhost.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Debian's Chromium is installed (CI installs it; a test should fail, not skip, without it there). */
export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** Headless Chromium with the flags this sandbox needs (no sandboxing as root, no background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png', '.safetensors': 'application/octet-stream',
};

/** A static server on localhost: its base URL, the paths asked for so far (in order), and close(). */
export interface StaticServer {
  url: string;
  requests: string[];
  close: () => Promise<void>;
}

/**
 * Serve a folder on 127.0.0.1 (a free port). `isolated`: with the headers that make a page cross-origin
 * isolated (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp),
 * which SharedArrayBuffer, and so rnn-wasm's threads, need.
 */
export async function serve(dir: string, options: { isolated?: boolean } = {}): Promise<StaticServer> {
  const isolation = options.isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(rel);
    const file = path.join(dir, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...isolation });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
