// Real-browser tests of the eMAG plugin's admin pages (/plugins/emag/):
// headless Chromium (playwright-core) against erp-host + the emag plugin +
// the local eMAG sandbox, all started by harness.mjs. The selectors are the
// "Test contract" of the admin app (data-testid / data-* attributes).
//
// The tests run in order and share one host: test 1 syncs the orders that the
// later tests read and act on. Every wait polls with a deadline; no check
// depends on a fixed sleep or on timing.
//
// Run: `ctest -L web --output-on-failure` in a build dir (CMakeLists.txt here
// sets the environment), or by hand after `npm ci` in this folder:
//   ERP_HOST_BIN=<build>/host_stub/erp-host \
//   EMAG_SANDBOX_BIN=<build>/tests/emag_sandbox/emag-sandbox \
//   ERP_PLUGIN_STAGE_DIR=<build>/plugins ERP_WEB_ARTIFACTS=/tmp/web-artifacts \
//   node --test --test-reporter=spec tests/web/admin_pages.test.mjs
// (CHROMIUM defaults to /usr/bin/chromium.)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

import { ACCOUNT, BAD_ACCOUNT, CHROMIUM_ARGS, Stack, chromiumPath, eventually, http, waitFor } from './harness.mjs';

const VIEWPORT = { width: 1280, height: 800 };
const WAIT = 15000; // default deadline of a page wait

const tid = (id) => `[data-testid="${id}"]`;
const digits = (s) => {
  const d = String(s ?? '').replace(/[^\d]/g, '');
  return d === '' ? NaN : Number(d);
};
const sorted = (a) => [...a].map(String).sort();

let stack;
let browser;
let context;
let page;
let consoleLog;
const pageErrors = []; // uncaught exceptions in any page
const foreignRequests = []; // anything the pages ask of another origin (no CDN: the host alone serves them)
const openPages = new Set(); // for the screenshots of a failed test

// ---------------------------------------------------------------- helpers

function artifact(name) {
  return path.join(stack.artifacts, name);
}

async function snap(p, name, { fullPage = true } = {}) {
  await p.screenshot({ path: artifact(`${name}.png`), fullPage });
}

// Wraps a test body: on failure a screenshot of the page is kept; an
// uncaught exception in the page, or a request to another origin than the
// host, during the test fails it too.
function body(name, fn) {
  return async (t) => {
    const errorsBefore = pageErrors.length;
    const foreignBefore = foreignRequests.length;
    try {
      await fn(t);
      assert.deepEqual(pageErrors.slice(errorsBefore), [], 'no uncaught exception in the page');
      assert.deepEqual(foreignRequests.slice(foreignBefore), [], 'every request goes to the host (no CDN)');
    } catch (e) {
      for (const [i, p] of [...openPages].entries()) {
        await p.screenshot({ path: artifact(`FAILED-${name}${i ? '-' + i : ''}.png`), fullPage: true }).catch(() => {});
      }
      throw e;
    }
  };
}

function watchConsole(p, label) {
  p.on('console', (m) => consoleLog.write(`[${label}] console.${m.type()}: ${m.text()}\n`));
  p.on('pageerror', (e) => {
    pageErrors.push(`${e.message} (${p.url()})`);
    consoleLog.write(`[${label}] pageerror at ${p.url()}: ${e.stack || e.message}\n`);
  });
  p.on('request', (r) => {
    const url = new URL(r.url());
    const local = ['data:', 'blob:', 'about:'].includes(url.protocol) ||
      url.host === new URL(stack.base).host;
    if (!local) foreignRequests.push(r.url());
  });
  p.on('response', (r) => {
    if (r.status() >= 400) consoleLog.write(`[${label}] HTTP ${r.status()} ${r.request().method()} ${r.url()}\n`);
  });
  p.on('requestfailed', (r) => consoleLog.write(`[${label}] requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}\n`));
  // A confirm() before a destructive action is accepted (and logged).
  p.on('dialog', (d) => {
    consoleLog.write(`[${label}] dialog ${d.type()}: ${d.message()}\n`);
    d.accept().catch(() => {});
  });
}

async function newPage(ctx, label) {
  const p = await ctx.newPage();
  openPages.add(p);
  p.on('close', () => openPages.delete(p));
  p.setDefaultTimeout(WAIT);
  watchConsole(p, label);
  return p;
}

// Opens a hash route of the app (a same-document navigation once loaded).
async function go(p, hash) {
  await p.goto(stack.appUrl + hash);
}

// Loads the app afresh at a hash route (each test starts so: a page broken
// by an earlier test does not carry over).
async function open(p, hash) {
  await p.goto('about:blank');
  await p.goto(stack.appUrl + hash);
}

async function text(p, selector) {
  return ((await p.locator(selector).first().textContent({ timeout: WAIT })) ?? '').trim();
}

// The admin token as the app keeps it (sessionStorage "emag.adminToken"),
// so that a test after the token-dialog test does not depend on it.
async function primeToken(p) {
  await p.evaluate((t) => sessionStorage.setItem('emag.adminToken', t), stack.token);
}

async function rowIds(p, selector, attr) {
  return p.$$eval(selector, (els, a) => els.map((e) => e.getAttribute(a)), attr);
}

// Visible action buttons of the order detail.
async function actionButtons(p) {
  return p.$$eval(`${tid('order-detail')} button[data-action]`,
    (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.dataset.action));
}

// Orders must be in the store for tests 2-8; test 1 syncs them from the page,
// this makes sure (via HTTP) when test 1 failed before starting the sync.
async function ensureOrdersSynced() {
  const r = await stack.api(`orders?account=${ACCOUNT}&per_page=1`);
  if (r.total > 0) return;
  await stack.faults([], 0);
  const j = await stack.job('emag.orders.sync');
  if (j.running) await stack.waitJob('emag.orders.sync', j.runs);
  else await stack.runJobAndWait('emag.orders.sync');
}

async function sandboxById() {
  return new Map((await stack.sandboxOrders()).map((o) => [o.id, o]));
}

// Every stored order of a filter (all pages, 200 per page).
async function allOrders(query) {
  const out = [];
  for (let pg = 1; ; pg++) {
    const r = await stack.api(`orders?account=${ACCOUNT}&${query}&per_page=200&page=${pg}`);
    out.push(...r.orders);
    if (r.orders.length < 200) return { total: r.total, orders: out };
  }
}

// ---------------------------------------------------------------- setup

before(async () => {
  const exe = chromiumPath(); // fails clearly without Chromium
  stack = new Stack();
  process.on('exit', () => stack.killNow());
  consoleLog = fs.createWriteStream(path.join(stack.artifacts, 'browser-console.log'));
  await stack.start();
  // Offers first, at full speed (test 7 edits them); orders are synced by test 1.
  await stack.runJobAndWait('emag.offers.sync', undefined, 60000);
  assert.ok((await stack.api(`offers?account=${ACCOUNT}&per_page=1`)).total > 0, 'emag.offers.sync stored the offers');
  browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS, headless: true });
  context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/Bucharest' });
  page = await newPage(context, 'main');
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack?.faults([], 0).catch(() => {});
  await stack?.stop();
  await new Promise((r) => (consoleLog ? consoleLog.end(r) : r()));
});

// ---------------------------------------------------------------- 1

test('dashboard shows live sync progress, health and the bad account\'s credentials error', { timeout: 120000 },
  body('dashboard', async (t) => {
    await open(page, '#/');
    await page.locator(`${tid('live')}[data-state="live"]`).waitFor({ timeout: WAIT });
    await page.locator(`${tid('account')}[data-account="${ACCOUNT}"]`).waitFor();

    // Record every rendered state of every progress bar (one MutationObserver:
    // no value the page shows can be missed by a polling interval).
    await page.evaluate(() => {
      window.__progress = [];
      const seen = new Map();
      const scan = () => {
        for (const el of document.querySelectorAll('[data-testid="sync-progress"]')) {
          const d = el.dataset;
          const k = `${d.account}|${d.stream}`;
          const v = `${d.processed}|${d.total}|${d.done}`;
          if (seen.get(k) !== v) {
            seen.set(k, v);
            window.__progress.push({ account: d.account, stream: d.stream, processed: d.processed, total: d.total, done: d.done });
          }
        }
      };
      new MutationObserver(scan).observe(document.documentElement,
        { subtree: true, childList: true, attributes: true, characterData: true });
      scan();
    });

    // eMAG answers slowly and pages are read two at a time: the sync takes
    // several seconds, so several progress events (≥1/s) reach the page.
    await stack.faults([], 300);
    try {
      const runsBefore = (await stack.job('emag.orders.sync')).runs;
      await page.locator(tid('run-sync')).click();
      // The first admin action asks for the token.
      await page.locator(tid('token-dialog')).waitFor();
      await page.locator(tid('token-input')).fill(stack.token);
      await page.locator(tid('token-submit')).click();
      await waitFor(async () => (await stack.job('emag.orders.sync')).runs > runsBefore ||
                                (await stack.job('emag.orders.sync')).running,
        { timeout: WAIT, what: 'emag.orders.sync to start after run-sync + token' });

      // A picture of the sync while it runs (the README's); not a check: a
      // pass that ends before it is caught is fine, the checks follow.
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="sync-progress"]')]
        .some((e) => e.dataset.done === 'false' && Number(e.dataset.processed) > 500 &&
                     Number(e.dataset.processed) * 5 < Number(e.dataset.total) * 4), null, { timeout: 20000 })
        .then(() => snap(page, 'dashboard-live', { fullPage: false }), () => {});
      const fbs = page.locator(`${tid('sync-progress')}[data-account="${ACCOUNT}"][data-stream="incremental/fbs"][data-done="true"]`);
      await fbs.waitFor({ state: 'attached', timeout: 90000 });
      const fbsProgress = page.locator(`${tid('sync-progress')}[data-account="${ACCOUNT}"][data-stream="incremental/fbs"]`);
      assert.equal(await fbsProgress.locator('progress').count(), 1, 'sync-progress contains a <progress>');
      await stack.waitJob('emag.orders.sync', runsBefore, 90000);
    } finally {
      await stack.faults([], 0);
    }

    const seen = (await page.evaluate(() => window.__progress))
      .filter((e) => e.account === ACCOUNT && e.stream === 'incremental/fbs');
    const running = seen.filter((e) => e.done === 'false').map((e) => Number(e.processed));
    const distinct = running.filter((v, i) => i === 0 || v !== running[i - 1]);
    assert.ok(distinct.length >= 3,
      `at least 3 distinct data-processed values before done (saw ${JSON.stringify(seen)})`);
    for (let i = 1; i < distinct.length; i++) {
      assert.ok(distinct[i] > distinct[i - 1], `data-processed increases: ${JSON.stringify(distinct)}`);
    }
    t.diagnostic(`incremental/fbs data-processed while running: ${distinct.join(' → ')}`);
    assert.ok(seen.some((e) => e.done === 'false' && Number(e.processed) < Number(e.total)),
      'while running, data-processed is below data-total');
    for (const e of seen) assert.ok(Number(e.processed) <= Number(e.total), `processed ≤ total: ${JSON.stringify(e)}`);
    const last = seen[seen.length - 1];
    assert.equal(last.done, 'true');
    assert.equal(Number(last.processed), Number(last.total), 'a finished stream has processed == total');
    assert.ok(Number(last.processed) >= distinct[distinct.length - 1]);

    // Health: the overall score is the API's.
    assert.ok(await page.locator(tid('health-score')).isVisible(), 'health-score is visible');
    await eventually(async () => {
      const st = await stack.api('status');
      assert.equal(digits(await text(page, tid('health-score'))), st.health.score, 'health-score = api/status health.score');
    });
    // The account with the wrong password shows eMAG's credentials refusal.
    const bad = page.locator(`${tid('account')}[data-account="${BAD_ACCOUNT}"]`);
    await eventually(async () => {
      assert.match(await bad.innerText(), /refused the credentials|credentials.*refused/i);
    });
    // ... and its alert is listed among the active ones.
    await eventually(async () => {
      const alerts = await page.locator(`${tid('active-alerts')} ${tid('alert')}`).allInnerTexts();
      assert.ok(alerts.some((a) => a.includes(BAD_ACCOUNT)), `an active alert names ${BAD_ACCOUNT}: ${JSON.stringify(alerts)}`);
    });
    // Rate-limit usage per group, in percent.
    const usage = page.locator(`${tid('account')}[data-account="${ACCOUNT}"] ${tid('usage')}[data-group="orders"]`);
    assert.match(await usage.innerText(), /\d\s*%/);
    // Each synced stream of the account is listed.
    for (const s of ['incremental/fbs', 'incremental/fbe']) {
      await page.locator(`${tid('account')}[data-account="${ACCOUNT}"] ${tid('stream')}[data-stream="${s}"]`).waitFor();
    }

    await snap(page, 'dashboard', { fullPage: false });
    await snap(page, 'dashboard-full');
  }));

// ---------------------------------------------------------------- 2

test('orders list: total, canceled orders\' reason badges in RO and EN, pager', { timeout: 90000 },
  body('orders', async () => {
    await ensureOrdersSynced();
    await open(page, `#/orders?account=${ACCOUNT}`);
    await primeToken(page);
    const all = await stack.api(`orders?account=${ACCOUNT}`);
    assert.ok(all.total > 0);
    await eventually(async () => assert.equal(digits(await text(page, tid('orders-total'))), all.total, 'orders-total'));
    const rows = page.locator(`tr${tid('order-row')}`);
    await rows.first().waitFor();
    // The rows are the API's first page, in its order.
    await eventually(async () => {
      const ids = await rowIds(page, `tr${tid('order-row')}`, 'data-order-id');
      const api = await stack.api(`orders?account=${ACCOUNT}&per_page=${ids.length}`);
      assert.deepEqual(ids.map(Number), api.orders.map((o) => o.id));
      assert.equal(await rows.first().locator(tid('status-badge')).count(), 1);
      assert.equal(await rows.first().locator(tid('type-badge')).count(), 1);
    });
    await snap(page, 'orders', { fullPage: false });
    await snap(page, 'orders-full');

    // Canceled orders only.
    await page.locator(tid('filter-status')).selectOption('0');
    const canceled = await allOrders('status=0');
    assert.ok(canceled.total > 0, 'the sandbox has canceled orders');
    const byId = new Map(canceled.orders.map((o) => [String(o.id), o]));
    await eventually(async () => {
      assert.equal(digits(await text(page, tid('orders-total'))), canceled.total, 'orders-total with status=0');
      assert.match(new URL(page.url()).hash, /status=0/, 'the filter is kept in the hash');
    });
    const sbx = await sandboxById();

    const readRows = () => page.$$eval(`tr[data-testid="order-row"]`, (els) => els.map((e) => {
      const b = e.querySelector('[data-testid="cancel-reason"]');
      return { id: e.dataset.orderId, label: b ? b.textContent.trim() : null, title: b ? b.getAttribute('title') : null };
    }));
    // All rows of the page in one language; returns it.
    const checkRows = async (lang) => {
      const shown = await readRows();
      assert.ok(shown.length > 0, 'canceled rows shown');
      const first = byId.get(shown[0].id);
      assert.ok(first, `row ${shown[0].id} is a canceled order of the API`);
      const l = lang ?? (shown[0].label === first.cancellation.ro ? 'ro' : 'en');
      for (const r of shown) {
        const o = byId.get(r.id);
        assert.ok(o, `row ${r.id} is a canceled order of the API`);
        assert.equal(o.status, 0);
        assert.notEqual(r.label, null, `order ${r.id} has a cancel-reason badge`);
        assert.equal(r.label, o.cancellation[l], `order ${r.id}: label in ${l}`);
        const s = sbx.get(Number(r.id));
        assert.ok(s, `order ${r.id} is in the sandbox`);
        assert.equal(r.title, `code ${s.reason_cancellation}`, `order ${r.id}: title = sandbox's reason_cancellation`);
      }
      return l;
    };
    const lang1 = await eventually(() => checkRows());
    await snap(page, 'orders-canceled');
    const lang2 = lang1 === 'ro' ? 'en' : 'ro';
    await page.locator(tid('lang')).click();
    await eventually(() => checkRows(lang2));
    // The choice survives a reload (localStorage).
    await page.reload();
    await page.locator(`tr${tid('order-row')}`).first().waitFor();
    await eventually(() => checkRows(lang2));
    await snap(page, `orders-canceled-${lang2}`);
    await snap(page, `orders-canceled-${lang2}-view`, { fullPage: false }); // the README's

    // Pager: page 2 shows the API's page 2.
    const perPage = (await readRows()).length;
    if (canceled.total > perPage) {
      const firstIdPage1 = (await readRows())[0].id;
      await page.locator(tid('pager-next')).click();
      await eventually(async () => {
        assert.match(await text(page, tid('page')), /\b2\b/);
        const api2 = await stack.api(`orders?account=${ACCOUNT}&status=0&per_page=${perPage}&page=2`);
        const ids = (await readRows()).map((r) => Number(r.id));
        assert.notEqual(String(ids[0]), firstIdPage1);
        assert.deepEqual(ids, api2.orders.map((o) => o.id));
      });
      await eventually(() => checkRows(lang2));
      await page.locator(tid('pager-prev')).click();
      await eventually(async () => assert.equal((await readRows())[0].id, firstIdPage1));
    }
  }));

// ---------------------------------------------------------------- 2b

test('orders filters (type, search, date range, account) show what the API answers', { timeout: 60000 },
  body('orders-filters', async () => {
    await ensureOrdersSynced();
    await open(page, `#/orders?account=${ACCOUNT}`);
    const shownTotal = async () => digits(await text(page, tid('orders-total')));
    const expectTotal = async (account, query, what) => {
      let api;
      await eventually(async () => {
        api = await stack.api(`orders?account=${account}&${query}`);
        assert.equal(await shownTotal(), api.total, what);
      });
      return api;
    };
    const all = await expectTotal(ACCOUNT, '', 'unfiltered');

    // Type.
    await page.locator(tid('filter-type')).selectOption('FBE');
    const fbe = await expectTotal(ACCOUNT, 'type=FBE', 'type=FBE');
    assert.ok(fbe.total > 0 && fbe.total < all.total);
    await eventually(async () => {
      const badges = (await page.locator(`tr${tid('order-row')} ${tid('type-badge')}`).allTextContents()).map((b) => b.trim());
      assert.ok(badges.length > 0 && badges.every((b) => b === 'FBE'), `type badges: ${badges}`);
    });
    // Search (kept with the type filter), applied on Enter.
    const name = fbe.orders[0].customer_name;
    await page.locator(tid('filter-q')).fill(name);
    await page.locator(tid('filter-q')).press('Enter');
    const found = await expectTotal(ACCOUNT, `type=FBE&q=${encodeURIComponent(name)}`, `q=${name}`);
    assert.ok(found.total >= 1 && found.total < fbe.total);
    await eventually(async () => {
      const ids = (await rowIds(page, `tr${tid('order-row')}`, 'data-order-id')).map(Number);
      assert.deepEqual(ids, found.orders.slice(0, ids.length).map((o) => o.id));
      assert.match(new URL(page.url()).hash, /q=/, 'the search is kept in the hash');
    });

    // Date range: the newest order's day.
    await open(page, `#/orders?account=${ACCOUNT}`);
    const day = all.orders[0].date_local.slice(0, 10);
    await page.locator(tid('filter-from')).fill(day);
    await page.locator(tid('filter-to')).fill(day);
    const oneDay = await expectTotal(ACCOUNT, `from=${day}&to=${day}`, `from=to=${day}`);
    assert.ok(oneDay.total > 0 && oneDay.total < all.total);

    // Another account: the one eMAG refuses has no orders.
    await page.locator(tid('filter-account')).selectOption(BAD_ACCOUNT);
    const bad = await expectTotal(BAD_ACCOUNT, `from=${day}&to=${day}`, `account ${BAD_ACCOUNT}`);
    assert.equal(bad.total, 0);
    await eventually(async () => assert.equal(await page.locator(`tr${tid('order-row')}`).count(), 0));
  }));

// ---------------------------------------------------------------- 3

let acknowledgedId; // test 6 needs another status-1 order

test('order actions from the page change the order at eMAG (acknowledge, cancel with a reason)', { timeout: 90000 },
  body('order-actions', async () => {
    await ensureOrdersSynced();
    // --- acknowledge: a new FBS order, opened by clicking its row
    await open(page, `#/orders?account=${ACCOUNT}&status=1&type=FBS`);
    await primeToken(page);
    const newFbs = await stack.api(`orders?account=${ACCOUNT}&status=1&type=FBS&per_page=200`);
    await eventually(async () => assert.equal(digits(await text(page, tid('orders-total'))), newFbs.total));
    let sbx = await sandboxById();
    const shownIds = await rowIds(page, `tr${tid('order-row')}`, 'data-order-id');
    const id = shownIds.find((x) => sbx.get(Number(x))?.status === 1 && sbx.get(Number(x))?.type === 3);
    assert.ok(id, `a shown FBS order is in status 1 at the sandbox (${shownIds.join(',')})`);
    acknowledgedId = id;

    await page.locator(`tr${tid('order-row')}[data-order-id="${id}"]`).click();
    const detail = page.locator(`${tid('order-detail')}[data-order-id="${id}"]`);
    await detail.waitFor();
    const apiDetail = await stack.api(`orders/${ACCOUNT}/${id}`);
    assert.ok(apiDetail.allowed_actions.includes('acknowledge'));
    await eventually(async () => assert.deepEqual(sorted(await actionButtons(page)), sorted(apiDetail.allowed_actions),
      'only the allowed_actions are offered'));
    const badgeBefore = await text(page, `${tid('order-detail')} ${tid('status-badge')}`);
    await snap(page, 'order-detail');

    await page.locator(`${tid('order-detail')} button[data-action="acknowledge"]`).click();
    await page.locator(tid('action-result')).waitFor();
    await eventually(async () => assert.equal((await stack.sandboxOrder(id)).status, 2, 'sandbox: acknowledged → status 2'));
    await eventually(async () => assert.notEqual(await text(page, `${tid('order-detail')} ${tid('status-badge')}`), badgeBefore,
      'the status badge re-renders from the answer'));
    const afterAck = await stack.api(`orders/${ACCOUNT}/${id}`);
    assert.equal(afterAck.status, 2);
    await eventually(async () => assert.deepEqual(sorted(await actionButtons(page)), sorted(afterAck.allowed_actions),
      'the buttons follow the new allowed_actions'));
    await snap(page, 'order-detail-acknowledged');

    // --- cancel: an FBS order in progress/prepared that may be canceled
    sbx = await sandboxById();
    let target;
    for (const st of [2, 3]) {
      const list = await stack.api(`orders?account=${ACCOUNT}&status=${st}&type=FBS&per_page=50`);
      for (const o of list.orders) {
        if (String(o.id) === String(id) || sbx.get(o.id)?.status !== st) continue;
        const d = await stack.api(`orders/${ACCOUNT}/${o.id}`);
        if (d.allowed_actions.includes('cancel')) { target = d; break; }
      }
      if (target) break;
    }
    assert.ok(target, 'an FBS order in status 2/3 allows cancel');
    await go(page, `#/orders/${ACCOUNT}/${target.id}`);
    await page.locator(`${tid('order-detail')}[data-order-id="${target.id}"]`).waitFor();
    await page.locator(`${tid('order-detail')} button[data-action="cancel"]`).click();
    const picker = page.locator(`select${tid('cancel-reason-select')}`);
    await picker.waitFor();
    const reasons = (await stack.api('cancellation-reasons')).reasons;
    await eventually(async () => {
      const options = (await picker.locator('option').evaluateAll((els) => els.map((e) => e.value))).filter((v) => v !== '');
      assert.deepEqual(sorted(options), sorted(reasons.map((r) => r.code)), 'the picker offers every cancellation reason');
    });
    const code = reasons[Math.min(3, reasons.length - 1)].code; // not the first: the choice must be sent
    await picker.selectOption(String(code));
    await page.locator(tid('cancel-confirm')).click();
    await page.locator(tid('action-result')).waitFor();
    await eventually(async () => {
      const o = await stack.sandboxOrder(target.id);
      assert.equal(o.status, 0, 'sandbox: canceled');
      assert.equal(o.reason_cancellation, code, 'sandbox: the chosen reason');
    });
    await eventually(async () => assert.equal((await stack.api(`orders/${ACCOUNT}/${target.id}`)).cancellation?.code, code));
    const afterCancel = await stack.api(`orders/${ACCOUNT}/${target.id}`);
    await eventually(async () => assert.deepEqual(sorted(await actionButtons(page)), sorted(afterCancel.allowed_actions),
      'after cancel, the buttons follow the new allowed_actions'));
    await snap(page, 'order-detail-canceled');
  }));

test('storno from the page lowers a line\'s quantity at eMAG', { timeout: 60000 }, body('storno', async () => {
  await ensureOrdersSynced();
  await open(page, '#/');
  await primeToken(page);
  const sbx = await sandboxById();
  const finalized = await stack.api(`orders?account=${ACCOUNT}&status=4&type=FBS&per_page=100`);
  let order;
  let line;
  for (const o of finalized.orders) {
    if (sbx.get(o.id)?.status !== 4) continue;
    const d = await stack.api(`orders/${ACCOUNT}/${o.id}`);
    const l = d.lines.find((x) => x.quantity >= 2 && x.status !== 0);
    if (d.allowed_actions.includes('storno') && l) { order = d; line = l; break; }
  }
  assert.ok(order, 'a finalized FBS order with a line of quantity ≥ 2');
  await go(page, `#/orders/${ACCOUNT}/${order.id}`);
  await page.locator(`${tid('order-detail')}[data-order-id="${order.id}"]`).waitFor();
  await page.locator(`${tid('order-detail')} button[data-action="storno"]`).click();
  const qty = page.locator(`input${tid('storno-qty')}[data-line-id="${line.id}"]`);
  await qty.waitFor();
  assert.equal(await page.locator(`input${tid('storno-qty')}`).count(), order.lines.filter((l) => l.status !== 0).length,
    'one quantity input per active line');
  await qty.fill(String(line.quantity - 1));
  await page.locator(tid('storno-confirm')).click();
  await page.locator(tid('action-result')).waitFor();
  await eventually(async () => {
    const o = await stack.sandboxOrder(order.id);
    const p = o.products.find((x) => x.id === line.id);
    assert.equal(p.quantity, line.quantity - 1, 'sandbox: the line\'s new quantity');
    assert.equal(o.is_storno, true);
    for (const other of o.products.filter((x) => x.id !== line.id)) {
      const before = sbx.get(order.id).products.find((x) => x.id === other.id);
      assert.equal(other.quantity, before.quantity, `line ${other.id} unchanged`);
    }
  });
  await snap(page, 'order-detail-storno');
}));

// ---------------------------------------------------------------- 4

test('quarantine lists every invalid order with its errors', { timeout: 60000 }, body('quarantine', async () => {
  await ensureOrdersSynced();
  const q = await stack.api(`quarantine?account=${ACCOUNT}`);
  assert.ok(q.orders.length > 0, 'the sandbox generated invalid orders');
  await open(page, `#/quarantine?account=${ACCOUNT}`);
  const rows = page.locator(tid('quarantine-row'));
  await eventually(async () => assert.equal(await rows.count(), q.orders.length, 'one row per quarantined order'));
  assert.equal(digits(await text(page, tid('quarantine-count'))), q.orders.length, 'quarantine-count');
  for (const o of q.orders) {
    const row = page.locator(`${tid('quarantine-row')}[data-order-key="${o.order_key}"]`);
    assert.equal(await row.count(), 1, `row of ${o.order_key}`);
    const t = await row.innerText();
    for (const e of o.errors) {
      assert.ok(t.includes(e.message), `${o.order_key} shows "${e.message}"`);
      assert.ok(t.includes(e.field), `${o.order_key} shows the field ${e.field}`);
    }
    assert.ok(await row.locator('details, pre').count() > 0, `${o.order_key} has its raw payload`);
  }
  await snap(page, 'quarantine');
}));

// ---------------------------------------------------------------- 5

test('a wrong admin token is refused; the right one shows the customers', { timeout: 60000 },
  body('admin-token', async () => {
    await ensureOrdersSynced();
    const ctx = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/Bucharest' });
    try {
      const p = await newPage(ctx, 'fresh');
      await go(p, `#/customers?account=${ACCOUNT}`);
      await p.locator(tid('token-dialog')).waitFor();
      assert.equal(await p.locator(`tr${tid('customer-row')}`).count(), 0);
      const wrong = 'wrong-token-0123456789abcdef';
      await p.locator(tid('token-input')).fill(wrong);
      await p.locator(tid('token-submit')).click();
      const refusal = p.locator(`${tid('token-error')}, ${tid('error')}[data-kind="admin_token"]`).first();
      await refusal.waitFor();
      assert.match(await refusal.innerText(), /refused/i);
      assert.equal(await p.locator(`tr${tid('customer-row')}`).count(), 0, 'no customer rows with a wrong token');
      assert.notEqual(await p.evaluate(() => sessionStorage.getItem('emag.adminToken')), wrong, 'a refused token is forgotten');
      await snap(p, 'token-refused');

      // Asked again: the right token.
      await p.locator(tid('token-dialog')).waitFor();
      await p.locator(tid('token-input')).fill(stack.token);
      await p.locator(tid('token-submit')).click();
      const rows = p.locator(`tr${tid('customer-row')}`);
      await rows.first().waitFor();
      const api = await stack.adminApi(`customers?account=${ACCOUNT}&per_page=1`);
      assert.ok(api.total > 0);
      assert.ok(await rows.count() > 0 && await rows.count() <= api.total);
      // The rows are real customers of the account.
      const keys = (await rowIds(p, `tr${tid('customer-row')}`, 'data-key')).slice(0, 5);
      for (const k of keys) {
        const r = await http('GET', `${stack.base}/plugins/emag/api/customers/${ACCOUNT}/${encodeURIComponent(k)}`, { token: stack.token });
        assert.equal(r.status, 200, `customer ${k} exists`);
      }
      assert.ok(await p.locator(`tr${tid('customer-row')} ${tid('risk-badge')}`).count() > 0, 'risk badges');
      assert.equal(await p.locator(tid('token-dialog')).isVisible(), false, 'the dialog is gone');
      await snap(p, 'customers');

      // Sorting by a header: the first row is the API's first for that sort.
      await p.locator('th[data-sort="spent"]').click();
      await eventually(async () => {
        const params = new URLSearchParams(new URL(p.url()).hash.split('?')[1] ?? '');
        assert.equal(params.get('sort'), 'spent', 'the sort is kept in the hash');
        const order = params.get('order') ?? 'desc';
        const api = await stack.adminApi(`customers?account=${ACCOUNT}&sort=spent&order=${order}&per_page=1`);
        assert.equal(await p.locator(`tr${tid('customer-row')}`).first().getAttribute('data-key'), api.customers[0].key);
      });

      // A customer's detail lists their orders.
      const key = await rows.first().getAttribute('data-key');
      const c = await stack.adminApi(`customers/${ACCOUNT}/${encodeURIComponent(key)}`);
      await rows.first().click();
      const d = p.locator(tid('customer-detail'));
      await d.waitFor();
      assert.ok(c.history.length > 0);
      await eventually(async () => assert.ok((await d.innerText()).includes(String(c.history[0].id)),
        `customer detail lists order ${c.history[0].id}`));
      await snap(p, 'customer-detail');
    } finally {
      await ctx.close();
    }
  }));

// ---------------------------------------------------------------- 6

test('errors: eMAG 401 (auth), eMAG 429 (rate limit countdown), host unreachable', { timeout: 60000 }, body('emag-401', async () => {
  await ensureOrdersSynced();
  await open(page, '#/');
  await primeToken(page);
  const sbx = await sandboxById();
  const list = await stack.api(`orders?account=${ACCOUNT}&status=1&type=FBS&per_page=200`);
  const o = list.orders.find((x) => String(x.id) !== String(acknowledgedId) && sbx.get(x.id)?.status === 1);
  assert.ok(o, 'another new FBS order');
  await stack.faults(['order/acknowledge:401:1'], 0);
  try {
    await go(page, `#/orders/${ACCOUNT}/${o.id}`);
    await page.locator(`${tid('order-detail')}[data-order-id="${o.id}"]`).waitFor();
    await page.locator(`${tid('order-detail')} button[data-action="acknowledge"]`).click();
    const err = page.locator(`${tid('error')}[data-kind="auth"]`);
    await err.waitFor();
    const t = await err.innerText();
    assert.match(t, /credentials/i);
    assert.match(t, /whitelist/i);
    assert.equal((await stack.sandboxOrder(o.id)).status, 1, 'the order is unchanged at eMAG');
    await snap(page, 'emag-401');

    // eMAG's rate limit (429, retried, then given up): a countdown from Retry-After.
    await stack.faults(['order/acknowledge:429:1'], 0);
    await open(page, `#/orders/${ACCOUNT}/${o.id}`);
    await page.locator(`${tid('order-detail')}[data-order-id="${o.id}"]`).waitFor();
    const answer = page.waitForResponse((r) => r.url().endsWith(`/orders/${ACCOUNT}/${o.id}/acknowledge`), { timeout: WAIT });
    await page.locator(`${tid('order-detail')} button[data-action="acknowledge"]`).click();
    const retryAfter = Number((await answer).headers()['retry-after']);
    assert.equal((await answer).status(), 503);
    assert.ok(retryAfter > 0, 'the host sent Retry-After');
    const limited = page.locator(`${tid('error')}[data-kind="rate_limited"]`);
    await limited.waitFor();
    const secondsLeft = async () => {
      const m = (await limited.innerText()).match(/waiting (\d+) ?s/);
      assert.ok(m, `"waiting N s" in ${JSON.stringify(await limited.innerText())}`);
      return Number(m[1]);
    };
    assert.match(await limited.innerText(), /rate limit/i);
    const first = await eventually(async () => {
      const n = await secondsLeft();
      assert.ok(n > retryAfter - 10 && n <= retryAfter, `the countdown runs from Retry-After ${retryAfter} s: ${n}`);
      return n;
    }, { timeout: 3000 });
    await waitFor(async () => (await secondsLeft()) < first, { timeout: 5000, what: 'the countdown to go down' });
    assert.equal((await stack.sandboxOrder(o.id)).status, 1, 'the order is unchanged at eMAG');
    await snap(page, 'emag-429');
  } finally {
    await stack.faults([], 0);
  }

  // The host unreachable (requests fail at the network level).
  await open(page, `#/orders?account=${ACCOUNT}`);
  await page.locator(`tr${tid('order-row')}`).first().waitFor();
  await page.route('**/plugins/emag/api/**', (route) => route.abort('connectionrefused'));
  try {
    await page.locator(tid('filter-status')).selectOption('3');
    const down = page.locator(`${tid('error')}[data-kind="unreachable"]`);
    await down.waitFor();
    assert.match(await down.innerText(), /unreachable/i);
    await snap(page, 'host-unreachable');
  } finally {
    await page.unroute('**/plugins/emag/api/**');
  }
}));

// ---------------------------------------------------------------- 7

test('offers: a stock edit is queued then confirmed; a price eMAG refuses is dead-lettered, then retried',
  { timeout: 90000 }, body('offers', async (t) => {
    await open(page, `#/offers?account=${ACCOUNT}`);
    await primeToken(page);
    const rows = page.locator(`tr${tid('offer-row')}`);
    await rows.first().waitFor();
    // Search by part number: the rows are the API's answer.
    const listed = await stack.api(`offers?account=${ACCOUNT}&per_page=5`);
    const pn = listed.offers[3].part_number;
    await page.locator(tid('offers-search')).fill(pn);
    await page.locator(tid('offers-search')).press('Enter');
    await eventually(async () => {
      const api = await stack.api(`offers?account=${ACCOUNT}&q=${encodeURIComponent(pn)}`);
      assert.ok(api.total >= 1 && api.total < listed.total);
      assert.deepEqual((await rowIds(page, `tr${tid('offer-row')}`, 'data-offer-id')).map(Number),
        api.offers.map((o) => o.offer_id));
    });
    await open(page, `#/offers?account=${ACCOUNT}`);
    await rows.first().waitFor();
    const offerId = await rows.first().getAttribute('data-offer-id');
    const stockAt = async (wh = 1) => {
      const o = (await stack.sandboxOffers()).find((x) => String(x.id) === String(offerId));
      assert.ok(o, `offer ${offerId} at the sandbox`);
      return o.stock.find((s) => s.warehouse_id === wh)?.value;
    };
    const before = await stockAt();
    const wanted = (Number(before) || 0) + 11;

    await rows.first().click();
    const edit = page.locator(tid('offer-edit'));
    await edit.waitFor();

    // Record every state each change row shows.
    await page.evaluate(() => {
      window.__changes = {};
      const scan = () => {
        for (const el of document.querySelectorAll('[data-testid="change-row"]')) {
          const list = (window.__changes[el.dataset.changeId] ??= []);
          if (list[list.length - 1] !== el.dataset.state) list.push(el.dataset.state);
        }
      };
      new MutationObserver(scan).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
      scan();
    });
    const idsBefore = new Set(await rowIds(page, tid('change-row'), 'data-change-id'));
    const newChangeId = () => waitFor(async () => (await rowIds(page, tid('change-row'), 'data-change-id'))
      .find((x) => !idsBefore.has(x)), { timeout: WAIT, what: 'a new change row' });

    // eMAG answers slowly, so the change is seen waiting before it is confirmed.
    await stack.faults([], 1500);
    let changeId;
    try {
      await edit.locator(`input${tid('edit-stock')}`).fill(String(wanted));
      await edit.locator(tid('save-stock')).click();
      changeId = await newChangeId();
      idsBefore.add(changeId);
      const r = await http('POST', `${stack.base}/api/jobs/emag.offers.push/run`, { token: stack.token, body: {} });
      assert.ok([202, 409].includes(r.status), `emag.offers.push started (${r.status})`);
      await page.locator(`${tid('change-row')}[data-change-id="${changeId}"][data-state="confirmed"]`)
        .waitFor({ state: 'attached', timeout: 30000 });
    } finally {
      await stack.faults([], 0);
    }
    const states = (await page.evaluate(() => window.__changes))[changeId];
    assert.ok(['queued', 'sending'].includes(states[0]), `the change first shows as waiting (${states})`);
    assert.equal(states[states.length - 1], 'confirmed');
    assert.equal(await stockAt(), wanted, 'the sandbox has the new stock');
    await snap(page, 'offer-edit');

    // Status: deactivate the offer.
    const sbxStatus = async () => (await stack.sandboxOffers()).find((x) => String(x.id) === String(offerId)).status;
    assert.equal(await sbxStatus(), 1, 'the offer is active at eMAG');
    await edit.locator(`select${tid('edit-status')}`).selectOption('0');
    await edit.locator(tid('save-status')).click();
    const statusChange = await newChangeId();
    idsBefore.add(statusChange);
    await page.locator(`${tid('change-row')}[data-change-id="${statusChange}"][data-state="confirmed"]`)
      .waitFor({ state: 'attached', timeout: 30000 });
    assert.equal(await sbxStatus(), 0, 'the sandbox has the offer inactive');

    // Dead letter: eMAG's limits changed behind the plugin's back (max_sale_price
    // lowered at the sandbox), so a price the plugin still finds valid is
    // refused by eMAG for this offer (isError in its result) → failed.
    const sbxOffer = (await stack.sandboxOffers()).find((x) => String(x.id) === String(offerId));
    const stored = await stack.api(`offers/${offerId}?account=${ACCOUNT}`);
    const sale = Number(stored.sale_price);
    const lowered = (sale + 1).toFixed(4);
    const refused = (sale + 1.5).toFixed(2); // within the stored [min, max], above eMAG's new max
    assert.ok(Number(refused) < Number(stored.max_sale_price), 'the refused price is valid for the plugin');
    assert.ok(!(Number(stored.recommended_price) > 0) || Number(refused) < Number(stored.recommended_price));
    await stack.sellerCall('offer/save', [{ id: Number(offerId), max_sale_price: lowered }]);
    let failedId;
    try {
      await edit.locator(`input${tid('edit-price')}`).fill(refused);
      await edit.locator(tid('save-price')).click();
      failedId = await newChangeId();
      await page.locator(`${tid('change-row')}[data-change-id="${failedId}"][data-state="failed"]`)
        .waitFor({ state: 'attached', timeout: 30000 });
    } finally {
      // eMAG's limit back as it was: the retry will be accepted.
      await stack.sellerCall('offer/save', [{ id: Number(offerId), max_sale_price: sbxOffer.max_sale_price }]);
    }
    const failed = (await stack.api(`outbound?account=${ACCOUNT}&state=failed`)).changes.find((c) => String(c.id) === failedId);
    assert.ok(failed, 'the API lists the failed change in the dead letter');
    const msgs = failed.messages.map((m) => (typeof m === 'string' ? m : m.message));
    assert.ok(msgs.some((m) => /outside the allowed interval/.test(m)), `eMAG's refusal: ${JSON.stringify(msgs)}`);
    const failedRow = page.locator(`${tid('change-row')}[data-change-id="${failedId}"]`);
    await eventually(async () => assert.match(await failedRow.textContent(), /outside the allowed interval/,
      'the failed change shows eMAG\'s message'));
    assert.equal(Number((await stack.sandboxOffers()).find((x) => String(x.id) === String(offerId)).sale_price), sale,
      'the refused price did not reach eMAG');
    await snap(page, 'offer-edit-failed');

    // The dead-letter section and its retry button. The section is not
    // required to follow the panel's polling, so the page is loaded afresh.
    const dlSel = `${tid('dead-letter')} ${tid('dead-letter-row')}[data-change-id="${failedId}"]`;
    t.diagnostic(`dead-letter row shown before a reload: ${(await page.locator(dlSel).count()) > 0}`);
    await open(page, `#/offers?account=${ACCOUNT}`);
    const dl = page.locator(dlSel);
    await dl.waitFor();
    assert.match(await dl.textContent(), /outside the allowed interval/, 'the dead-letter row shows eMAG\'s message');
    await snap(page, 'offers-dead-letter');
    await dl.locator(`button${tid('retry')}`).click();
    await eventually(async () => {
      const all = (await stack.api(`outbound?account=${ACCOUNT}&offer_id=${offerId}`)).changes;
      const retry = all.find((c) => Number(c.id) > Number(failedId));
      assert.ok(retry, 'the retry queued a new change');
      assert.equal(retry.state, 'confirmed');
    }, { timeout: 30000 });
    const after = (await stack.sandboxOffers()).find((x) => String(x.id) === String(offerId));
    assert.equal(Number(after.sale_price), Number(refused), 'the retried price reached eMAG');
    await go(page, `#/offers?account=${ACCOUNT}`);
    await rows.first().waitFor();
    await snap(page, 'offers');
  }));

// ---------------------------------------------------------------- 7b

test('the live indicator shows a dropped feed and reconnects', { timeout: 60000 }, body('live-reconnect', async () => {
  const p = await newPage(context, 'ws');
  try {
    // Every state the indicator takes, from the first render on.
    await p.addInitScript(() => {
      window.__live = [];
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="live"]');
        const st = el?.getAttribute('data-state');
        if (st && window.__live[window.__live.length - 1] !== st) window.__live.push(st);
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    // The first /ws connection is dropped right after its first message;
    // the next ones go through to erp-host untouched.
    let connections = 0;
    await p.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      const n = ++connections;
      const server = ws.connectToServer();
      if (n === 1) {
        server.onMessage((m) => {
          ws.send(m);
          ws.close({ code: 1011, reason: 'dropped by the test' });
          server.close();
        });
      }
    });
    await p.goto(stack.appUrl + '#/');
    await waitFor(async () => connections >= 2, { timeout: WAIT, what: 'the page to open the feed again' });
    await p.locator(`${tid('live')}[data-state="live"]`).waitFor();
    const states = await p.evaluate(() => window.__live);
    const i = states.indexOf('reconnecting', states.indexOf('live'));
    assert.ok(states.indexOf('live') >= 0 && i > 0 && states.indexOf('live', i) > i,
      `live → reconnecting → live (saw ${states.join(' → ')})`);
  } finally {
    await p.close();
  }
}));

// ---------------------------------------------------------------- 8

test('every page renders (navigation, alerts, backups, chart) — screenshots', { timeout: 90000 },
  body('pages', async () => {
    await ensureOrdersSynced();
    await open(page, '#/');
    await primeToken(page);
    const pages = [
      ['dashboard', tid('health-score')],
      ['orders', `tr${tid('order-row')}`],
      ['quarantine', tid('quarantine-row')],
      ['offers', `tr${tid('offer-row')}`],
      ['customers', `tr${tid('customer-row')}`],
      ['alerts', `tr${tid('alert-row')}`],
    ];
    for (const [name, sel] of pages) {
      await page.locator(`a[data-nav="${name}"]`).click();
      await page.locator(sel).first().waitFor();
      if (name === 'dashboard') {
        await page.locator(`${tid('live')}[data-state="live"]`).waitFor();
        await page.locator('.uplot').first().waitFor({ state: 'attached' });
      }
      await snap(page, `page-${name}`);
    }

    // Alerts: the active ones are the API's.
    await eventually(async () => {
      const api = (await stack.adminApi('alerts')).alerts.filter((a) => a.state === 'active');
      assert.ok(api.some((a) => a.account === BAD_ACCOUNT));
      const shown = await page.locator(`tr${tid('alert-row')}[data-state="active"]`).allInnerTexts();
      assert.equal(shown.length, api.length, 'active alert rows');
      assert.ok(shown.some((t) => t.includes(BAD_ACCOUNT)));
    });
    // Backups: "backup now" adds the API's new backup with its tables.
    const before = new Set((await stack.adminApi('backups')).backups.map((b) => b.name));
    await page.locator(tid('backup-now')).click();
    const made = await waitFor(async () => (await stack.adminApi('backups')).backups.find((b) => !before.has(b.name)),
      { timeout: 30000, what: 'a new backup' });
    const row = page.locator(`tr${tid('backup-row')}[data-name="${made.name}"]`);
    await row.waitFor();
    const orders = made.tables.find((t) => t.name === 'emag_orders');
    await eventually(async () => {
      const t = await row.textContent(); // the tables may sit in a collapsed <details>
      assert.ok(t.includes(orders.sha256) || t.includes(orders.sha256.slice(0, 12)), 'the backup row shows the tables\' sha256');
    });
    // Open the table list of the new backup for the screenshot.
    if (await row.locator('details summary').count()) await row.locator('details summary').first().click();
    await snap(page, 'page-alerts');
  }));
