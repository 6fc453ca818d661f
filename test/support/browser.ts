// Real browsers for tests: Debian's Chromium (apt-get install chromium; .ci/run does it) driven
// headless by playwright-core, and a static file server on localhost.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/**
 * The web demo (examples/web/) built from the packed package into `out` (a folder under the
 * repository `root`), served, and opened in Chromium at `?query`; every console error or warning,
 * page error, failed request and HTTP error is pushed into `problems`. Fails (never skips) without
 * Chromium.
 */
export async function openDemo(root: string, out: string, query: string, problems: string[]): Promise<{ server: StaticServer; browser: Browser; page: Page }> {
  if (!hasChromium()) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it). Failing, not skipping.`);
  }
  execFileSync(process.execPath, ['examples/web/build.mjs', '--package', 'build/consumer', '--out', out], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  const server = await serve(path.join(root, out));
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${server.url}?${query}`, { timeout: 10_000 });
  return { server, browser, page };
}
