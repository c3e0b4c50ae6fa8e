// The demo in a real browser: it draws, it runs, its controls and its link work, bad links
// are survived with a notice, and its numbers are the command line's, bit for bit.
//
// Needs ILS_SITE (a release build of the site) and ILS_BIN (the native `ils` binary);
// scripts/test provides both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { canvasImage, curvePixels, finished, launch, openPage, query, serve } from './harness.mjs';
import { policy } from '../../scripts/csp.mjs';

const SITE = process.env.ILS_SITE;
const BIN = process.env.ILS_BIN;
const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

// The series colours of src/chart.rs.
const GUMBEL_SOFTMAX = [213, 94, 0];
const ILS = [0, 114, 178];

let server;
let browser;

before(async () => {
  assert.ok(SITE && BIN, 'ILS_SITE and ILS_BIN must be set (scripts/test sets them)');
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serve(SITE);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A new page at `query`, recording its errors. */
const open = (search = '', options = {}) => openPage(browser, server.url + search, options);
const readout = (page, id) => page.textContent(`#${id}-readout`);

test('the default page runs, draws both curves and moves its readouts', async () => {
  const { page, errors } = await open();
  await page.waitForFunction(() => /^Step [1-9]/.test(document.getElementById('right-readout').textContent));
  const first = [await readout(page, 'left'), await readout(page, 'right')];
  await page.waitForTimeout(400);
  const second = [await readout(page, 'left'), await readout(page, 'right')];
  assert.notEqual(second[0], first[0], 'the Gumbel-Softmax readout did not move');
  assert.notEqual(second[1], first[1], 'the ILS readout did not move');
  assert.match(second[1], /^Step [\d,]+ of 50,000: KL 0\.\d+ nats$/);

  await finished(page);
  assert.ok((await curvePixels(page, 'left-canvas', GUMBEL_SOFTMAX)) > 500);
  assert.ok((await curvePixels(page, 'right-canvas', ILS)) > 500);
  assert.equal(await page.textContent('#play'), 'Play', 'a finished run offers Play');
  assert.equal(query(page).get('temperature'), '1');
  await page.screenshot({ path: join(ARTIFACTS, 'default.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the temperature slider changes the link and the left curve, not the right', async () => {
  const { page, errors } = await open('?steps=3000');
  await finished(page);
  const before = {
    left: await canvasImage(page, 'left-canvas'),
    right: await canvasImage(page, 'right-canvas'),
    ils: await page.getAttribute('#check', 'data-ils'),
    readout: await readout(page, 'right'),
  };

  // By keyboard, as a reader without a mouse would: one step right is x10^0.01.
  await page.focus('#temperature');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await finished(page);

  assert.equal(query(page).get('temperature'), '1.05');
  assert.equal(await page.textContent('#temperature-value'), '1.05');
  assert.match(await readout(page, 'left'), /^Step 3,000 of 3,000/);
  assert.notEqual(await canvasImage(page, 'left-canvas'), before.left);
  assert.equal(await canvasImage(page, 'right-canvas'), before.right, 'the ILS panel changed');
  assert.equal(await page.getAttribute('#check', 'data-ils'), before.ils);
  assert.equal(await readout(page, 'right'), before.readout);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link with bad values opens a working page and says what it changed', async () => {
  const { page, errors } = await open(
    '?temperature=abc&step_size=1e308&seed=NaN&trials=-3&steps=2000&colour=red',
  );
  const notice = page.locator('#notice');
  await notice.waitFor({ state: 'visible' });
  const text = await notice.textContent();
  for (const expected of [
    'temperature=abc is not a number; using 1',
    'step_size=1e308 is above the largest allowed value; using 1000000',
    'seed=NaN is not a number; using 0',
    'trials=-3 is below the smallest allowed value; using 1',
    'colour=red is not a setting of this page; ignored',
  ]) {
    assert.ok(text.includes(expected), `notice lacks "${expected}": ${text}`);
  }
  const params = query(page);
  assert.deepEqual(
    [params.get('temperature'), params.get('step_size'), params.get('seed'), params.get('trials')],
    ['1', '1000000', '0', '1'],
  );
  assert.equal(params.get('colour'), null);
  await finished(page);
  assert.ok((await curvePixels(page, 'left-canvas', GUMBEL_SOFTMAX)) > 200);
  assert.ok((await curvePixels(page, 'right-canvas', ILS)) > 200);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a typed value out of range is clamped with a notice', async () => {
  const { page, errors } = await open('?steps=500');
  await page.fill('#left_learning_rate', '-4');
  await page.press('#left_learning_rate', 'Enter');
  await page.locator('#notice').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#notice'), /left_learning_rate=-4 is below the smallest allowed value/);
  assert.equal(await page.inputValue('#left_learning_rate'), '0.000000001');
  assert.equal(query(page).get('left_learning_rate'), '0.000000001');
  assert.equal(query(page).get('right_learning_rate'), '0.01');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the same seed gives the same numbers as the command line, bit for bit', async () => {
  const settings = { seed: 7, temperature: 0.5, step_size: 0.1, categories: 4, trials: 3, learning_rate: 0.05 };
  const { page, errors } = await open('?' + new URLSearchParams(settings));
  await page.waitForFunction(() => document.getElementById('check').dataset.ils !== undefined);
  const out = mkdtempSync(join(tmpdir(), 'ils-check-'));
  try {
    for (const [estimator, attribute] of [['gumbel-softmax', 'data-gumbel-softmax'], ['ils', 'data-ils']]) {
      execFileSync(BIN, [
        'run', '--estimator', estimator,
        '--temperature', '0.5', '--step-size', '0.1', '--seed', '7',
        '--categories', '4', '--trials', '3', '--learning-rate', '0.05',
        '--steps', '10', '--out', out,
      ], { stdio: 'pipe' });
      const native = readFileSync(join(out, 'curves.csv'), 'utf8')
        .trim().split('\n').slice(1).map((row) => row.split(',')[5]);
      const browser = (await page.getAttribute('#check', attribute)).split(',');
      assert.equal(native.length, 11);
      assert.deepEqual(browser, native, `${estimator}: browser and native differ`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a narrow screen the panels stack and still draw', async () => {
  const { page, errors } = await open('?steps=2000', {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
  });
  await finished(page);
  const [left, right] = await Promise.all(
    ['left-canvas', 'right-canvas'].map((id) =>
      page.evaluate((id) => {
        const box = document.getElementById(id).getBoundingClientRect();
        return { top: box.top, bottom: box.bottom, width: box.width };
      }, id),
    ),
  );
  assert.ok(right.top >= left.bottom, 'the panels overlap instead of stacking');
  assert.ok(left.width < 390);
  // Sized for the screen's density: the backing store has twice the layout pixels.
  const [width, cssWidth] = await page.evaluate(() => {
    const canvas = document.getElementById('right-canvas');
    return [canvas.width, canvas.clientWidth];
  });
  assert.equal(width, cssWidth * 2);
  assert.ok((await curvePixels(page, 'right-canvas', ILS)) > 200);
  await page.screenshot({ path: join(ARTIFACTS, 'narrow.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('without WebAssembly the page says why it cannot run', async () => {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    delete window.WebAssembly;
  });
  await page.goto(server.url);
  await page.waitForTimeout(1000);
  assert.ok(await page.isVisible('#fallback'));
  assert.match(await page.textContent('#fallback'), /needs\s+JavaScript and WebAssembly/);
  await page.close();
});

test('under a strict Content-Security-Policy, in an iframe under a sub-path, it still runs', async () => {
  // A blog: the built folder copied to /posts/ils/demo/, embedded by a post at /posts/ils/.
  const blog = mkdtempSync(join(tmpdir(), 'ils-blog-'));
  const demo = join(blog, 'posts', 'ils', 'demo');
  mkdirSync(demo, { recursive: true });
  execFileSync('cp', ['-r', `${SITE}/.`, demo]);
  const csp = policy(readFileSync(join(SITE, 'index.html'), 'utf8'));
  writeFileSync(
    join(blog, 'posts', 'ils', 'index.html'),
    '<!doctype html><title>post</title><iframe src="demo/?steps=1000" width="1100" height="900"></iframe>',
  );
  writeFileSync(join(blog, 'favicon.ico'), '');
  const blogServer = await serve(blog, { 'content-security-policy': csp });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const errors = [];
  const outside = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    const fromDemo = request.frame() !== page.mainFrame();
    if (fromDemo && !request.url().startsWith(blogServer.url + 'posts/ils/demo/')) {
      outside.push(request.url());
    }
  });
  try {
    await page.goto(blogServer.url + 'posts/ils/');
    const frame = page.frameLocator('iframe');
    await frame.locator('#check[data-run-ms]').waitFor({ state: 'attached', timeout: 30_000 });
    const inner = page.frames().find((f) => f !== page.mainFrame());
    assert.ok((await curvePixels(inner, 'right-canvas', ILS)) > 200);
    assert.deepEqual(errors, [], 'CSP violations or other errors');
    assert.deepEqual(outside, [], 'requests outside the demo folder');
  } finally {
    await page.close();
    await blogServer.close();
    rmSync(blog, { recursive: true, force: true });
  }
});

test('hostile links open a working page, with a notice where a value was changed', async () => {
  const long = 'x'.repeat(8_000); // below the 16 KB a request line may have
  const cases = [
    ['temperature=&step_size=&steps=300', true],
    ['temperature=NaN&step_size=NaN&steps=300', true],
    ['temperature=Infinity&learning_rate=-Infinity&steps=300', true],
    ['seed=-0&step_size=-0&steps=300', false],
    ['learning_rate=1e308&temperature=1e-308&steps=300', true],
    [`temperature=${long}&steps=300`, true],
    ['seed=1&seed=2&seed=3&steps=300', true],
    ['unknown=1&foo=bar&steps=300', true],
    [`temperature=${encodeURIComponent('<script>alert(1)</script>')}&steps=300`, true],
    [`${encodeURIComponent('<img src=x onerror=alert(1)>')}=1&steps=300`, true],
    ['%00=%00&temperature=%E2%80%8B&steps=300', true],
    ['categories=1000&trials=100&steps=5', false],
    ['steps=0', false],
    ['log_y=1&learning_rate=1000&step_size=1000000&steps=300', false],
  ];
  for (const [link, changed] of cases) {
    const { page, errors } = await open('?' + link);
    let dialog = false;
    page.on('dialog', async (d) => {
      dialog = true;
      await d.dismiss();
    });
    await finished(page);
    const label = link.slice(0, 80);
    assert.equal(await page.isVisible('#notice'), changed, `${label}: notice`);
    assert.equal(await page.isVisible('#error'), false, `${label}: error box`);
    for (const id of ['left', 'right']) {
      const text = await readout(page, id);
      assert.match(text, /^Step [\d,]+ of [\d,]+: KL \d/, `${label}: ${text}`);
      assert.doesNotMatch(text, /NaN|inf/i, `${label}: ${text}`);
    }
    if (!link.startsWith('steps=0')) {
      assert.ok((await curvePixels(page, 'left-canvas', GUMBEL_SOFTMAX)) > 20, label);
      assert.ok((await curvePixels(page, 'right-canvas', ILS)) > 20, label);
    }
    assert.equal(dialog, false, `${label}: a script ran`);
    assert.deepEqual(errors, [], label);
    await page.close();
  }
});

test('the downloads hold the curves on screen and the link copies the state', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + '?steps=400&seed=11&temperature=0.3');
  await finished(page);
  const out = mkdtempSync(join(tmpdir(), 'ils-downloads-'));
  try {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.equal(csv.suggestedFilename(), 'gumbel-softmax-0.3-vs-ils-0.01-lr0.01-K5-N5-seed11.csv');
    const text = readFileSync(await csv.path(), 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'estimator,parameter,optimiser,learning_rate,step,kl');
    assert.equal(lines.length, 1 + 2 * 401);

    // The same rows as the command line's, to the last digit.
    for (const [estimator, flag, value] of [['gumbel-softmax', '--temperature', '0.3'], ['ils', '--step-size', '0.01']]) {
      execFileSync(BIN, ['run', '--estimator', estimator, flag, value, '--seed', '11', '--steps', '400', '--out', out]);
      const native = readFileSync(join(out, 'curves.csv'), 'utf8').trim().split('\n').slice(1);
      assert.deepEqual(lines.filter((l) => l.startsWith(estimator + ',')), native, estimator);
    }

    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#download-png')]);
    const bytes = readFileSync(await png.path());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.ok(bytes.length > 10_000);

    await page.click('#copy-link');
    await page.waitForFunction(() => document.getElementById('export-status').textContent === 'Link copied.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the estimator selector changes the panel, its link and its numbers', async () => {
  const { page, errors } = await open('?steps=1500');
  await finished(page);
  const before = {
    right: await canvasImage(page, 'right-canvas'),
    left: await canvasImage(page, 'left-canvas'),
    readout: await readout(page, 'right'),
  };
  await page.selectOption('#right', 'ils-exact');
  await finished(page);
  assert.equal(query(page).get('right'), 'ils-exact');
  assert.notEqual(await readout(page, 'right'), before.readout);
  assert.notEqual(await canvasImage(page, 'right-canvas'), before.right);
  assert.equal(await canvasImage(page, 'left-canvas'), before.left, 'the left panel changed');
  assert.match(await page.textContent('#quality-rows'), /right: ILS \(exact chain\), α = 0\.01/);

  // The new estimator's first steps are the command line's, bit for bit.
  const out = mkdtempSync(join(tmpdir(), 'ils-exact-'));
  try {
    execFileSync(BIN, ['run', '--estimator', 'ils-exact', '--steps', '10', '--out', out]);
    const native = readFileSync(join(out, 'curves.csv'), 'utf8')
      .trim().split('\n').slice(1).map((row) => row.split(',')[5]);
    assert.deepEqual((await page.getAttribute('#check', 'data-ils-exact')).split(','), native);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  // And the score function, through its own setting.
  await page.selectOption('#left', 'score-function');
  await page.evaluate(() => {
    const slider = document.getElementById('baseline_decay');
    slider.value = '0.5';
    slider.dispatchEvent(new Event('change'));
  });
  await finished(page);
  assert.equal(query(page).get('left'), 'score-function');
  assert.equal(query(page).get('baseline_decay'), '0.5');
  assert.match(await page.textContent('#quality-rows'), /left: Score function \(REINFORCE\), β = 0\.5/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the gradient-quality section measures both estimators and draws their sweeps', async () => {
  const { page, errors } = await open('?steps=1000');
  await finished(page);
  const rows = await page.$$eval('#quality-rows tr', (trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 4, 'start and now for each panel');
  assert.deepEqual(rows.map((r) => r[1]), ['step 0', 'step 1,000', 'step 0', 'step 1,000']);
  for (const row of rows) {
    const cosine = Number(row[2]);
    assert.ok(cosine >= -1 && cosine <= 1, `cosine ${row[2]}`);
    assert.ok([3, 4, 5].every((i) => Number(row[i]) >= 0), row.join(' | '));
  }
  // The scale column: at the start ILS's mean is about 150 times the exact gradient's length,
  // Gumbel-Softmax's about its length (tests/findings.rs pins both).
  assert.ok(Number(rows[2][3]) > 50, `ILS scale ${rows[2][3]}`);
  assert.ok(Number(rows[0][3]) < 3, `Gumbel-Softmax scale ${rows[0][3]}`);
  // At the start both panels see the same problem: the same true KL and sampled objective.
  assert.equal(rows[0][6], rows[2][6]);
  assert.equal(rows[0][7], rows[2][7]);
  assert.ok((await curvePixels(page, 'left-objective', GUMBEL_SOFTMAX)) > 200);
  assert.ok((await curvePixels(page, 'right-objective', ILS)) > 200);
  assert.ok((await curvePixels(page, 'left-quality', GUMBEL_SOFTMAX)) > 200);
  assert.ok((await curvePixels(page, 'right-quality', ILS)) > 200);

  // Measuring again with more estimates changes the numbers, not the layout.
  await page.fill('#estimates', '3000');
  await page.click('#measure');
  await page.waitForFunction((old) => document.querySelector('#quality-rows tr td:nth-child(5)').textContent !== old, rows[0][4]);

  // A fraction is corrected, and the note says so.
  await page.fill('#estimates', '2.5');
  await page.click('#measure');
  await page.waitForFunction(() => /M must be a whole number from 2 to 100,000, not “2\.5”/.test(document.getElementById('quality-note').textContent));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the published sweep draws each panel at the published parameter values underneath', async () => {
  const { page, errors } = await open('?steps=2000');
  await finished(page);
  // The sweep's first curve is sky blue (86, 180, 233), drawn faint: count light bluish
  // pixels, which neither the vermillion Gumbel-Softmax curve nor the grey grid has.
  const skyBlue = (id) =>
    page.evaluate((id) => {
      const canvas = document.getElementById(id);
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (b - r > 25 && g > 170 && b > 220) count += 1;
      }
      return count;
    }, id);
  const without = await skyBlue('left-canvas');
  await page.check('#published_sweep');
  await finished(page);
  assert.equal(query(page).get('published_sweep'), '1');
  const withSweep = await skyBlue('left-canvas');
  assert.ok(withSweep > without + 100, `no sweep curve on the left (${without} -> ${withSweep})`);
  assert.deepEqual(errors, []);
  await page.close();
});
