// A small harness for tests that run in a real browser: a static file server on 127.0.0.1 and
// Debian's Chromium (/usr/bin/chromium; .ci/run installs it) driven by playwright-core. Nothing is
// downloaded: playwright-core only talks to the installed browser.
//
// Use:
//   const server = await serve(dir, { isolated: true });      // files of dir at server.url; isolated adds COOP/COEP
//   const browser = await launchChromium();                    // a fresh profile each time
//   const page = await browser.open(`${server.url}/index.html`); // page.errors collects console errors and uncaught exceptions
//   ... await page.page.evaluate(...) / page.page.waitForFunction(...) ...
//   expect(page.errors).toEqual([]);
//   await browser.close(); await server.close();              // closes the browser and removes its profile
// The page itself is a playwright-core Page (https://playwright.dev/docs/api/class-page).

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where the browser is: $TAPEGRAD_CHROMIUM, else Debian's package. */
export const CHROMIUM = process.env.TAPEGRAD_CHROMIUM ?? '/usr/bin/chromium';

/** The flags of every launch: no sandbox (containers), no GPU, and none of Chromium's own network traffic. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, which
   * make a page cross-origin isolated (SharedArrayBuffer, threads).
   */
  isolated?: boolean;
}

/** Serves the files under `root` (GET only, no directory listings) on 127.0.0.1 at a free port. */
export async function serve(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (options.isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (req.method !== 'GET' || !(file === base || file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    headers['Content-Type'] = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/** A page with the console errors and uncaught exceptions it has logged so far. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

export interface Chromium {
  context: BrowserContext;
  /** Opens url in a new page, collecting its errors (and those of its workers) from the start. */
  open(url: string): Promise<WatchedPage>;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

/** Starts Debian's Chromium headless with CHROMIUM_FLAGS and a fresh --user-data-dir. */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`browser tests: no Chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (.ci/run does) or set TAPEGRAD_CHROMIUM`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'tapegrad-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext is how playwright takes a --user-data-dir of our choosing
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, acceptDownloads: true, timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async open(url: string) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      page.on('worker', (w) => w.on('console', (m) => {
        if (m.type() === 'error') errors.push(`worker: ${m.text()}`);
      }));
      await page.goto(url);
      return { page, errors };
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
