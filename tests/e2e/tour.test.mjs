// The fair comparison in a real browser: the guided tour's links, the optimiser, each
// panel's learning rate and the readout of the update's size.
//
// Needs ILS_SITE (a release build of the site) and ILS_BIN (the native `ils` binary);
// scripts/test provides both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { canvasImage, curvePixels, finished, launch, openPage, query, serve } from './harness.mjs';

const SITE = process.env.ILS_SITE;
const BIN = process.env.ILS_BIN;
const ROOT = new URL('../../', import.meta.url).pathname;

// The series colours of src/chart/mod.rs, by estimator.
const COLOURS = {
  'gumbel-softmax': [213, 94, 0],
  'gumbel-softmax-hard': [204, 121, 167],
  ils: [0, 114, 178],
  'ils-exact': [0, 114, 178],
  'score-function': [0, 0, 0],
};

/** The captions the page ships, by stop: `ils tour` wrote them. */
const CAPTIONS = new Map(
  readFileSync(join(ROOT, 'assets/tour.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t')),
);

/** The tuned learning rates the page ships, keyed "estimator,parameter,optimiser". */
const TUNED = new Map(
  readFileSync(join(ROOT, 'assets/tuned/best.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .map(([estimator, parameter, optimiser, rate]) => [`${estimator},${parameter},${optimiser}`, rate]),
);

let server;
let browser;

before(async () => {
  assert.ok(SITE && BIN, 'ILS_SITE and ILS_BIN must be set (scripts/test sets them)');
  server = await serve(SITE);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A new page at `query`, recording its errors. */
const open = (search = '', options = {}) => openPage(browser, server.url + search, options);

test('every stop of the tour opens, plots and shows its caption', async () => {
  const { page, errors } = await open();
  const names = await page.$$eval('#tour-links a', (links) => links.map((a) => a.id.replace('tour-', '')));
  assert.deepEqual(names, [...CAPTIONS.keys()], 'the links and the shipped captions differ');
  // The default page is no stop: the caption box invites the reader to pick one.
  assert.match(await page.textContent('#tour-caption'), /Each link above/);

  for (const name of names) {
    await page.click(`#tour-${name}`);
    await page.waitForURL((url) => url.search.length > 1);
    await page.waitForFunction(
      () => /^Step [1-9]/.test(document.getElementById('left-readout').textContent)
        && /^Step [1-9]/.test(document.getElementById('right-readout').textContent),
    );
    await page.waitForTimeout(300);
    const params = query(page);
    assert.equal(await page.getAttribute(`#tour-${name}`, 'aria-current'), 'true', name);
    const caption = await page.textContent('#tour-caption');
    assert.equal(caption, CAPTIONS.get(name), `${name}: not the shipped caption`);
    assert.equal(caption.match(/\.( |$)/g).length, 2, `${name}: not two sentences`);
    for (const side of ['left', 'right']) {
      const colour = COLOURS[params.get(side)];
      assert.ok((await curvePixels(page, `${side}-canvas`, colour)) > 20, `${name}: ${side} panel`);
    }
    // The axis's scale is display only: the stop keeps its caption on the other scale.
    await page.click('#log_y');
    await page.waitForFunction((on) => new URL(location.href).searchParams.get('log_y') === on,
      params.get('log_y') === '1' ? '0' : '1');
    assert.equal(await page.textContent('#tour-caption'), CAPTIONS.get(name), `${name}: log scale`);
    await page.goBack();
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the optimiser choice changes both curves, and the numbers are the command line\'s', async () => {
  const { page, errors } = await open('?steps=1500&left_learning_rate=0.5&right_learning_rate=0.02');
  await finished(page);
  const before = {
    left: await canvasImage(page, 'left-canvas'),
    right: await canvasImage(page, 'right-canvas'),
    gs: await page.getAttribute('#check', 'data-gumbel-softmax'),
    ils: await page.getAttribute('#check', 'data-ils'),
  };
  await page.selectOption('#optimiser', 'adam');
  await finished(page);
  assert.equal(query(page).get('optimiser'), 'adam');
  assert.notEqual(await canvasImage(page, 'left-canvas'), before.left, 'the left curve did not change');
  assert.notEqual(await canvasImage(page, 'right-canvas'), before.right, 'the right curve did not change');
  assert.match(await page.textContent('#left-update'), /^Learning rate 0\.5, Adam/);
  assert.match(await page.textContent('#right-update'), /^Learning rate 0\.02, Adam/);

  const out = mkdtempSync(join(tmpdir(), 'ils-optimiser-'));
  try {
    for (const [estimator, attribute, rate, old] of [
      ['gumbel-softmax', 'data-gumbel-softmax', '0.5', before.gs],
      ['ils', 'data-ils', '0.02', before.ils],
    ]) {
      execFileSync(BIN, [
        'run', '--estimator', estimator, '--optimiser', 'adam', '--learning-rate', rate,
        '--steps', '10', '--out', out,
      ], { stdio: 'pipe' });
      const native = readFileSync(join(out, 'curves.csv'), 'utf8')
        .trim().split('\n').slice(1).map((row) => row.split(',')[5]);
      const browser = (await page.getAttribute('#check', attribute)).split(',');
      assert.deepEqual(browser, native, `${estimator}: browser and native differ`);
      assert.notEqual(browser.join(','), old, `${estimator}: the optimiser changed nothing`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('each panel has its own learning rate, and the best ones load from the shipped table', async () => {
  const { page, errors } = await open('?steps=1000');
  await page.uncheck('#shared_y');
  await finished(page);
  const right = await canvasImage(page, 'right-canvas');
  await page.fill('#left_learning_rate', '2');
  await page.press('#left_learning_rate', 'Enter');
  await finished(page);
  assert.equal(query(page).get('left_learning_rate'), '2');
  assert.equal(query(page).get('right_learning_rate'), '0.01');
  assert.equal(await canvasImage(page, 'right-canvas'), right, 'the right run changed too');
  assert.match(await page.textContent('#left-update'), /learning rate 2, plain SGD/);

  await page.click('#best_learning_rates');
  await finished(page);
  const gs = TUNED.get('gumbel-softmax,1,sgd');
  const ils = TUNED.get('ils,0.01,sgd');
  assert.ok(gs && ils, 'the shipped table has the default settings');
  assert.equal(await page.inputValue('#left_learning_rate'), gs);
  assert.equal(await page.inputValue('#right_learning_rate'), ils);
  assert.equal(query(page).get('left_learning_rate'), gs);
  assert.equal(query(page).get('right_learning_rate'), ils);

  // A temperature that was never tuned keeps its rate and says why; the other panel still loads.
  await page.goto(server.url + '?steps=500&temperature=0.37');
  await finished(page);
  await page.click('#best_learning_rates');
  await page.locator('#notice').waitFor({ state: 'visible' });
  assert.match(
    await page.textContent('#notice'),
    /No tuned learning rate for Gumbel-Softmax, T = 0\.37 under plain SGD: .*kept 0\.01\./,
  );
  assert.equal(query(page).get('left_learning_rate'), '0.01');
  assert.equal(query(page).get('right_learning_rate'), ils);

  // On another problem the shipped rates do not apply, and the page says so.
  await page.goto(server.url + '?steps=500&categories=50&trials=20');
  await finished(page);
  await page.click('#best_learning_rates');
  await page.waitForFunction(() => /tuned on the published problem/.test(document.getElementById('notice').textContent));
  assert.equal(query(page).get('left_learning_rate'), '0.01');
  assert.equal(query(page).get('right_learning_rate'), '0.01');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the update readout shows the scale of each update, and normalising removes it', async () => {
  const { page, errors } = await open('?steps=3000');
  await finished(page);
  const ratio = async (side) => {
    const text = await page.textContent(`#${side}-update`);
    const match = /^Steps ([\d.e+-]+)× the exact gradient's, noise included \(learning rate 0\.01, plain SGD\)$/.exec(text);
    assert.ok(match, `${side}: ${text}`);
    return Number(match[1]);
  };
  // Seen natively: about 2 to 9 for Gumbel-Softmax at T = 1, several hundred for ILS.
  const gs = await ratio('left');
  const ils = await ratio('right');
  assert.ok(gs > 0.5 && gs < 10, `Gumbel-Softmax: ${gs}`);
  assert.ok(ils > 10 * gs, `ILS: ${ils} against ${gs}`);

  // Normalised SGD sets every step's length itself, and the readout says so for both.
  await page.selectOption('#optimiser', 'normalised-sgd');
  await finished(page);
  for (const side of ['left', 'right']) {
    assert.equal(
      await page.textContent(`#${side}-update`),
      'Every step 0.01 long in the directions that change the probabilities (normalised SGD)',
    );
  }
  assert.deepEqual(errors, []);
  await page.close();
});
