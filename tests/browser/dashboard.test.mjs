// The dashboard in a real browser (Debian's chromium, driven by puppeteer-core, which downloads no browser) against a
// real 3-node devnet run: page loads without console errors, lists 3 nodes, the chart gains a point per finished round
// without a reload, a leader is marked on the ring, the timeline holds the round's commits; the API's snapshot and
// event stream; then `swarmfl dashboard RUN_DIR` on the finished run shows the rounds of summary.md, and a screenshot
// of it is saved with the run's results (RUN_DIR/dashboard.png; DASHBOARD_SCREENSHOT=PATH copies it there too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SWARMFL = join(ROOT, 'node', 'SwarmFL.Node', 'bin', 'Release', 'net10.0', 'swarmfl');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MINUTES = 60_000;
const ROUNDS = 2;

function start(args) {
  const child = spawn(SWARMFL, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const waiters = [];
  const onData = (chunk) => {
    output += chunk;
    for (const w of waiters.slice()) {
      const m = output.match(w.pattern);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child, exited, output: () => output,
    waitFor(pattern, ms) {
      const m = output.match(pattern);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`no ${pattern} within ${ms / 1000} s; output so far:\n${output}`)), ms).unref();
        exited.then(({ code }) => reject(new Error(`${args.join(' ')} exited ${code} before ${pattern}:\n${output}`)));
      });
    },
    stop() { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } },
  };
}

async function launchBrowser(profile) {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: tests/install-tools installs Debian's chromium`);
  return puppeteer.launch({
    // A waitForFunction is one DevTools call that lasts as long as the wait: allow it the test's own caps (rounds are slow on a loaded machine).
    executablePath: CHROMIUM, headless: true, userDataDir: profile, protocolTimeout: 30 * MINUTES,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run', '--disable-dev-shm-usage'],
  });
}

function watchConsole(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('error', (e) => errors.push(`page crashed: ${e.message}`));
  page.on('requestfailed', (r) => { if (!r.url().includes('/api/events')) errors.push(`request failed: ${r.url()}`); });
  return errors;
}

/** Reads the event stream for a while: every message's id, kind and data. */
async function readEvents(url, untilCount, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const messages = [];
  try {
    const response = await fetch(new URL('/api/events?after=0', url), { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
        if (fields.data !== undefined) messages.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) });
      }
      if (messages.length >= untilCount) break;
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return messages;
}

/** The rounds table of summary.md: round → { merged, leaders }. */
function summaryRounds(summary) {
  const section = summary.split('## Rounds')[1].split('\n## ')[0];
  return section.split('\n').filter((l) => /^\| \d+ \|/.test(l)).map((l) => {
    const cells = l.split('|').slice(1, -1).map((c) => c.trim());
    return { round: Number(cells[0]), merged: cells[1], leaders: cells[3] };
  });
}

test('the dashboard follows a 3-node devnet live in chromium and serves the finished run', { timeout: 45 * MINUTES }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'swarmfl-dashboard-run-'));
  const profile = mkdtempSync(join(tmpdir(), 'swarmfl-chromium-'));
  const devnet = start(['devnet', 'up', '--nodes', '3', '--rounds', String(ROUNDS), '--cluster-size', '3', '--no-baselines', '--out', out, '--timeout', '30']);
  let browser;
  let finished;
  try {
  try {
    const [, url] = await devnet.waitFor(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/, 5 * MINUTES);
    // One of its first lines: before the chain is even up.
    const lines = devnet.output().split('\n');
    assert.ok(lines.findIndex((l) => l.includes('dashboard: ')) < 3, `the dashboard line comes late:\n${devnet.output()}`);

    browser = await launchBrowser(profile);
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1100 });
    const errors = watchConsole(page);
    await page.goto(url, { waitUntil: 'load' });
    await page.evaluate(() => { window.loadedOnce = true; });

    await page.waitForFunction(() => document.querySelectorAll('#nodes tbody tr').length === 3, { timeout: 10 * MINUTES, polling: 500 });

    // The chart gains one point per finished round, live: sample it until the last round is in.
    const seen = [];
    for (let points = 1; points <= ROUNDS; points++) {
      await page.waitForFunction((n) => Number(document.getElementById('metric-chart').dataset.points) >= n, { timeout: 20 * MINUTES, polling: 250 }, points);
      const state = await page.evaluate(() => ({
        points: Number(document.getElementById('metric-chart').dataset.points),
        labels: Chart.getChart('metric-chart').data.labels.length,
        swarm: Chart.getChart('metric-chart').data.datasets[1].data.filter((v) => v !== null).length,
        reloaded: window.loadedOnce !== true,
      }));
      assert.equal(state.reloaded, false, 'the page reloaded');
      seen.push(state);
    }
    assert.deepEqual(seen.map((s) => s.swarm), Array.from({ length: ROUNDS }, (_, i) => i + 1), `points per round: ${JSON.stringify(seen)}`);

    await page.waitForSelector('#ring g.member[data-leader="true"]', { timeout: 5 * MINUTES });
    const commits = await page.$$eval('#events li[data-kind="commit"][data-round="1"]', (items) => items.map((li) => li.textContent));
    assert.equal(commits.length, 3, `round 1's commits in the timeline: ${commits.join('\n')}`);
    assert.ok(commits.every((c) => /#\d+ 0x[0-9a-f]{8}…/.test(c)), `each commit names its block and transaction: ${commits[0]}`);

    // The API behind it: the snapshot, and the event stream in order.
    const swarm = await (await fetch(new URL('/api/swarm', url))).json();
    assert.equal(swarm.nodes.length, 3);
    assert.equal(swarm.mode, 'devnet');
    assert.ok(swarm.rounds.length >= ROUNDS);
    assert.ok(swarm.events.some((e) => e.kind === 'elected'));
    const messages = await readEvents(url, swarm.sequence, 2 * MINUTES);
    assert.ok(messages.length >= swarm.sequence, `${messages.length} of ${swarm.sequence} changes replayed`);
    assert.deepEqual(messages.map((m) => m.id), messages.map((_, i) => i + 1), 'ids rise by one');
    const chain = messages.filter((m) => m.event === 'chain').map((m) => m.data);
    assert.deepEqual(chain.map((e) => [e.block, e.logIndex]), swarm.events.slice(0, chain.length).map((e) => [e.block, e.logIndex]), 'chain events in chain order');
    // A round is sent when its first node reports it and again as the others do: rounds first appear in order.
    const roundOrder = [...new Set(messages.filter((m) => m.event === 'round').map((m) => m.data.round))];
    assert.deepEqual(roundOrder.slice(0, ROUNDS), Array.from({ length: ROUNDS }, (_, i) => i + 1), 'rounds in order');

    assert.deepEqual(errors, [], 'no console errors');
    await page.close();

    finished = await devnet.exited;
    assert.equal(finished.code, 0, `devnet up failed:\n${devnet.output()}`);
  } catch (e) {
    // Puppeteer's "Waiting failed" hides its reason in the cause; the launcher's output says how far the run got.
    e.message += `${e.cause ? `\ncause: ${e.cause}` : ''}\n--- devnet up output so far ---\n${devnet.output().slice(-6000)}`;
    throw e;
  } finally {
    if (!finished) devnet.stop();
    await devnet.exited;
  }

  // The finished run, read-only from its files.
  const [runDir] = readdirSync(out).map((d) => join(out, d));
  const summary = summaryRounds(readFileSync(join(runDir, 'summary.md'), 'utf8'));
  assert.equal(summary.length, ROUNDS);
  const replay = start(['dashboard', runDir]);
  try {
    const [, url] = await replay.waitFor(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/, 2 * MINUTES);
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1400 });
    const errors = watchConsole(page);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((n) => document.querySelectorAll('#rounds tbody tr').length === n, { timeout: 2 * MINUTES }, summary.length);
    const shown = await page.$$eval('#rounds tbody tr', (rows) => rows.map((r) => ({
      round: Number(r.dataset.round), merged: r.querySelector('.merged').dataset.metric, leaders: r.querySelector('.leaders').textContent,
    })));
    assert.deepEqual(shown, summary);
    assert.match(await page.$eval('#audit-badge', (b) => b.textContent), /audit passed/);
    assert.ok((await page.$$('#events li[data-kind="commit"]')).length >= 3 * ROUNDS);
    // A viewport tall enough for the whole page: a full-page capture that resizes it can catch the chart mid-redraw.
    await page.setViewport({ width: 1400, height: await page.evaluate(() => document.documentElement.scrollHeight) + 20 });
    await page.waitForFunction(() => Chart.getChart('metric-chart').chartArea?.height > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const png = join(runDir, 'dashboard.png');
    await page.screenshot({ path: png, fullPage: true });
    if (process.env.DASHBOARD_SCREENSHOT) copyFileSync(png, process.env.DASHBOARD_SCREENSHOT);
    assert.deepEqual(errors, [], 'no console errors on the finished run');
    replay.stop();
    const stopped = await Promise.race([replay.exited, new Promise((resolve) => setTimeout(() => resolve(null), 60_000))]);
    assert.ok(stopped, 'swarmfl dashboard stops on SIGTERM');
  } finally {
    try { process.kill(-replay.child.pid, 'SIGKILL'); } catch { /* it stopped */ }
    await replay.exited;
  }
  } finally {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    if (!process.env.DASHBOARD_KEEP_RUN) rmSync(out, { recursive: true, force: true });
  }
});
