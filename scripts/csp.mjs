// Prints the Content-Security-Policy that a built copy of the demo needs:
//   node scripts/csp.mjs dist/index.html
// Everything comes from the demo's own folder; the one inline script (trunk's loader) is
// allowed by its hash, and 'wasm-unsafe-eval' lets the page compile its WebAssembly.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function policy(html) {
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)]
    .map((match) => match[1])
    .filter((body) => body.trim() !== '');
  const hashes = scripts.map(
    (body) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/csp.mjs path/to/index.html');
    process.exit(2);
  }
  console.log(policy(readFileSync(file, 'utf8')));
}
