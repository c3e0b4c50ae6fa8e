// Measures the demo in Debian's headless Chromium, as the page measures itself (it publishes
// its timings on #check): how long the published 50,000-step run takes at full speed, and
// how long one frame's drawing of both panels takes once each holds a 200,000-step curve.
//
//   node tests/e2e/bench.mjs path/to/built/site
//
// A benchmark, not a test: it prints figures and asserts nothing.

import { finished, launch, serve } from './harness.mjs';

const site = process.argv[2] ?? process.env.ILS_SITE;
if (!site) {
  console.error('usage: node tests/e2e/bench.mjs path/to/built/site');
  process.exit(2);
}

const server = await serve(site);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

async function fullSpeedRun(query) {
  await page.goto(server.url + query);
  await page.evaluate(() => {
    const speed = document.getElementById('speed');
    speed.value = speed.max;
    speed.dispatchEvent(new Event('input'));
    document.getElementById('reset').click();
  });
  await finished(page, 600_000);
  return Number(await page.getAttribute('#check', 'data-run-ms'));
}

const timings = () =>
  page.evaluate(() => {
    const { drawMs, draws } = document.getElementById('check').dataset;
    return { total: Number(drawMs) * Number(draws), draws: Number(draws) };
  });

const runs = [];
for (let i = 0; i < 3; i += 1) runs.push(await fullSpeedRun('?steps=50000'));
const best = Math.min(...runs);
console.log(`published run (2 x 50,000 steps, N = K = 5) at full speed: ${runs.map((r) => r.toFixed(0)).join(', ')} ms`);
console.log(`  best ${best.toFixed(0)} ms, ${((2 * 50_000) / (best / 1000) / 1e6).toFixed(2)} million steps per second over both panels`);

const long = await fullSpeedRun('?steps=200000');
console.log(`200,000-step run at full speed: ${long.toFixed(0)} ms`);
const before = await timings();
const redraws = 60;
for (let i = 0; i < redraws; i += 1) {
  // Each toggle asks for exactly one redraw of both panels; wait a frame between them.
  await page.click('#shared_y');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
const afterwards = await timings();
const draws = afterwards.draws - before.draws;
const mean = (afterwards.total - before.total) / draws;
console.log(`drawing both panels with 200,000-step curves: ${mean.toFixed(2)} ms per frame (mean of ${draws} draws)`);

await browser.close();
await server.close();
