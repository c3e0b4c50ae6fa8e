// Shared by the browser tests and the browser benchmark: a static server for the built site
// on loopback, and Debian's Chromium driven by playwright-core (never a downloaded browser).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';

const require = createRequire(new URL('../../tools/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Serves `root` on 127.0.0.1 at a free port, with optional extra response headers. */
export async function serve(root, headers = {}) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root))) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...headers,
      });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Launches Debian's headless Chromium, with its network chatter turned off. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Waits until the current run has reached its last step (the page sets data-run-ms). */
export function finished(page, timeout = 60_000) {
  return page.waitForFunction(() => document.getElementById('check').dataset.runMs !== undefined, null, {
    timeout,
    polling: 50,
  });
}

/**
 * A new page of `browser` at `url` (1280 x 900 unless `options` say otherwise) that records
 * every console error and uncaught exception into `errors`.
 */
export async function openPage(browser, url, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

/** How many pixels of canvas `id` are close to `rgb`: the curve's own colour. */
export function curvePixels(page, id, rgb) {
  return page.evaluate(
    ({ id, rgb }) => {
      const canvas = document.getElementById(id);
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (rgb.every((c, k) => Math.abs(data[i + k] - c) < 30)) count += 1;
      }
      return count;
    },
    { id, rgb },
  );
}

/** Canvas `id` as a data URL, to compare two drawings. */
export const canvasImage = (page, id) => page.evaluate((id) => document.getElementById(id).toDataURL(), id);

/** The settings in the page's address. */
export const query = (page) => new URLSearchParams(new URL(page.url()).search);
