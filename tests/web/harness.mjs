// Harness of the browser tests: starts the eMAG sandbox and erp-host (with the
// staged emag plugin and its admin pages) on free loopback ports, writes the
// host config into a temp dir, offers small HTTP helpers for the host, the
// plugin API and the sandbox's control routes, and launches Chromium.
//
// Everything waits by polling with a deadline (never a fixed sleep that a
// check depends on), and every process started here is stopped at the end,
// on failure too, with its log kept in the artifacts directory.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// ---------------------------------------------------------------- env & paths

export function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: the browser tests need ERP_HOST_BIN (erp-host), EMAG_SANDBOX_BIN ` +
                    `(emag-sandbox) and ERP_PLUGIN_STAGE_DIR (the staged plugins dir, with emag/web) — ` +
                    `CTest sets them (tests/web/CMakeLists.txt)`);
  }
  return v;
}

function requireExecutable(file, what) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${what} not found or not executable at ${file}`);
  }
  return file;
}

// The Chromium binary: $CHROMIUM, else /usr/bin/chromium. Missing → a clear
// failure (these tests never skip silently).
export function chromiumPath() {
  const file = process.env.CHROMIUM || '/usr/bin/chromium';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`Chromium is needed for the browser tests and was not found at ${file} ` +
                    `(install the Debian package 'chromium', or set CHROMIUM to its path)`);
  }
  return file;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function artifactsDir() {
  const dir = process.env.ERP_WEB_ARTIFACTS || path.join(os.tmpdir(), 'erp-web-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------- waiting

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value (returned) or the deadline passes.
export async function waitFor(fn, { timeout = 15000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}` + (lastErr ? `: ${lastErr.message}` : ''));
    }
    await delay(interval);
  }
}

// Retries an async block of assertions until it passes or the deadline
// passes; then rethrows the last assertion error (the real mismatch).
export async function eventually(fn, { timeout = 15000, interval = 200 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await delay(interval);
  }
}

// ---------------------------------------------------------------- HTTP

export async function http(method, url, { token, body, timeout = 15000 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function getJson(url, opts) {
  const r = await http('GET', url, opts);
  if (r.status !== 200 || r.json === undefined) {
    throw new Error(`GET ${url} → ${r.status}: ${r.text.slice(0, 300)}`);
  }
  return r.json;
}

// ---------------------------------------------------------------- processes

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A child process whose stdout/stderr go to <logDir>/<name>.log; `ready`
// resolves with the regex match when a stdout/stderr line matches readyRe.
class Proc {
  constructor(name, bin, args, { env, cwd, logDir, readyRe }) {
    this.name = name;
    this.logFile = path.join(logDir, `${name}.log`);
    this.log = fs.createWriteStream(this.logFile);
    this.log.write(`$ ${bin} ${args.join(' ')}\n`);
    this.child = spawn(bin, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    let buf = '';
    let resolveReady;
    this.ready = new Promise((res) => { resolveReady = res; });
    const onData = (chunk) => {
      this.log.write(chunk);
      if (!readyRe || this.readyMatch) return;
      buf += chunk.toString();
      const m = buf.match(readyRe);
      if (m) {
        this.readyMatch = m;
        resolveReady(m);
      }
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    this.child.on('error', (e) => this.log.write(`spawn error: ${e.message}\n`));
  }

  get running() {
    return this.exitInfo === undefined && this.child.exitCode === null;
  }

  async waitReady(timeout) {
    const timer = delay(timeout).then(() => 'timeout');
    const r = await Promise.race([this.ready, this.exited.then(() => 'exited'), timer]);
    if (r === 'timeout' || r === 'exited') {
      throw new Error(`${this.name} did not become ready (${r}${this.exitInfo ? ` code ${this.exitInfo.code}` : ''}); ` +
                      `see ${this.logFile}:\n${tail(this.logFile)}`);
    }
    return r;
  }

  // SIGTERM, then SIGKILL if it has not exited within 5 s.
  async stop() {
    if (this.running) {
      this.child.kill('SIGTERM');
      const r = await Promise.race([this.exited, delay(5000).then(() => 'timeout')]);
      if (r === 'timeout' && this.running) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await new Promise((r) => this.log.end(r));
  }
}

function tail(file, n = 20) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- the stack

export const ACCOUNT = 'demo-ro';
export const BAD_ACCOUNT = 'bad-bg';
const SANDBOX_PASSWORD = 'web-test-pw';

function hostToml({ port, dataDir, tokenFile, stageDir, sandboxUrl }) {
  const q = JSON.stringify;
  return `# written by tests/web/harness.mjs
[host]
listen = "127.0.0.1:${port}"
data_dir = ${q(dataDir)}
log_level = "info"
admin_token_file = ${q(tokenFile)}

[database]
url = ${q('sqlite3:' + path.join(dataDir, 'erp.db'))}

[plugins]
dir = ${q(stageDir)}
enabled = ["emag"]

[plugins.emag]
[[plugins.emag.accounts]]
name = "${ACCOUNT}"
platform = "ro"
base_url = ${q(sandboxUrl)}
username = "demo-seller"
password_env = "EMAG_WEB_TEST_DEMO_PASSWORD"

# Same sandbox, wrong password: eMAG answers 401 to every call.
[[plugins.emag.accounts]]
name = "${BAD_ACCOUNT}"
platform = "bg"
base_url = ${q(sandboxUrl)}
username = "demo-seller"
password_env = "EMAG_WEB_TEST_BAD_PASSWORD"

[plugins.emag.api]
retry_delays_ms = [100, 200] # transient errors and 429s are retried twice, quickly (the rate-limit test)

[plugins.emag.orders]
first_run_days = 100      # the sandbox's history spans 90 days
acknowledge_new = false   # keep new FBS orders in status 1: the tests acknowledge them from the page
page_concurrency = 2      # with the sandbox's added latency, a sync lasts seconds: progress shows live

[plugins.emag.monitor]
sample_interval_ms = 250  # alerts and health follow quickly

# Syncs and backups run only when a test starts them.
[schedule]
"emag.orders.sync" = 0
"emag.offers.sync" = 0
"emag.backup" = 0
`;
}

export class Stack {
  constructor() {
    this.procs = [];
    this.artifacts = artifactsDir();
    this.token = 'web-test-' + randomBytes(16).toString('hex');
  }

  async start() {
    const hostBin = requireExecutable(requireEnv('ERP_HOST_BIN'), 'erp-host (ERP_HOST_BIN)');
    const sandboxBin = requireExecutable(requireEnv('EMAG_SANDBOX_BIN'), 'emag-sandbox (EMAG_SANDBOX_BIN)');
    const stageDir = requireEnv('ERP_PLUGIN_STAGE_DIR');
    const webDir = path.join(stageDir, 'emag', 'web');
    for (const f of ['index.html', 'app.js']) {
      if (!fs.existsSync(path.join(webDir, f))) {
        throw new Error(`the admin pages are not staged: ${path.join(webDir, f)} is missing ` +
                        `(the build bundles emag_plugin/web with Node.js into <build>/plugins/emag/web)`);
      }
    }

    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erp-web-test-'));
    const dataDir = path.join(this.tmp, 'data');
    fs.mkdirSync(dataDir);
    const tokenFile = path.join(this.tmp, 'admin-token');
    fs.writeFileSync(tokenFile, this.token + '\n', { mode: 0o600 });

    // The sandbox picks its own free port (--port 0) and prints it.
    const sandbox = new Proc('emag-sandbox', sandboxBin, [
      '--port', '0', '--orders', '3000', '--offers', '300',
      '--account', `${ACCOUNT}:demo-seller:${SANDBOX_PASSWORD}:ro`,
      '--seed', '7', '--mutation-rate', '0', '--log-level', 'warn',
    ], { env: process.env, cwd: this.tmp, logDir: this.artifacts, readyRe: /listening on (http:\/\/127\.0\.0\.1:(\d+)\/api-3)/ });
    this.procs.push(sandbox);
    const m = await sandbox.waitReady(30000);
    this.sandboxApi = m[1];
    this.sandboxBase = `http://127.0.0.1:${m[2]}`;

    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.configFile = path.join(this.tmp, 'erp-host.toml');
    fs.writeFileSync(this.configFile, hostToml({ port, dataDir, tokenFile, stageDir, sandboxUrl: this.sandboxApi }));
    fs.copyFileSync(this.configFile, path.join(this.artifacts, 'erp-host.toml'));
    const host = new Proc('erp-host', hostBin, ['--config', this.configFile, 'serve'], {
      env: { ...process.env, EMAG_WEB_TEST_DEMO_PASSWORD: SANDBOX_PASSWORD, EMAG_WEB_TEST_BAD_PASSWORD: 'not-the-password' },
      cwd: this.tmp, logDir: this.artifacts,
    });
    this.procs.push(host);
    await waitFor(async () => {
      if (!host.running) throw new Error(`erp-host exited (${JSON.stringify(host.exitInfo)}):\n${tail(host.logFile)}`);
      const r = await http('GET', `${this.base}/health`, { timeout: 2000 });
      return r.status === 200 && r.json?.plugins?.some((p) => p.id === 'emag' && p.state === 'running');
    }, { timeout: 30000, interval: 100, what: `erp-host /health with plugin emag running (log: ${host.logFile})` });
    return this;
  }

  async stop() {
    for (const p of [...this.procs].reverse()) await p.stop();
    this.procs = [];
    if (this.tmp) {
      fs.rmSync(this.tmp, { recursive: true, force: true });
      this.tmp = undefined;
    }
  }

  // Last resort at process exit: no child outlives the test run.
  killNow() {
    for (const p of this.procs) if (p.running) p.child.kill('SIGKILL');
  }

  // -------- plugin API (read)
  get appUrl() { return `${this.base}/plugins/emag/`; }
  api(pathAndQuery, opts) { return getJson(`${this.base}/plugins/emag/api/${pathAndQuery}`, opts); }
  adminApi(pathAndQuery) { return this.api(pathAndQuery, { token: this.token }); }

  // -------- jobs
  async jobs() {
    return (await getJson(`${this.base}/api/jobs`)).jobs;
  }

  async job(id) {
    const j = (await this.jobs()).find((x) => x.id === id);
    if (!j) throw new Error(`no job ${id} in /api/jobs`);
    return j;
  }

  // Starts a job; resolves with the number of runs before it (to wait on).
  async runJob(id, params) {
    const before = (await this.job(id)).runs;
    const r = await http('POST', `${this.base}/api/jobs/${id}/run`, { token: this.token, body: params ?? {} });
    if (r.status !== 202) throw new Error(`POST /api/jobs/${id}/run → ${r.status}: ${r.text}`);
    return before;
  }

  // Waits until job `id` has finished a run counted after `runsBefore`.
  async waitJob(id, runsBefore, timeout = 60000) {
    return waitFor(async () => {
      const j = await this.job(id);
      return !j.running && j.runs > runsBefore ? j : null;
    }, { timeout, interval: 150, what: `job ${id} to finish` });
  }

  async runJobAndWait(id, params, timeout) {
    return this.waitJob(id, await this.runJob(id, params), timeout);
  }

  // -------- sandbox control
  async faults(faults, latencyMs = 0) {
    const r = await http('POST', `${this.sandboxBase}/_sandbox/faults`, { body: { faults, latency_ms: latencyMs } });
    if (r.status !== 200) throw new Error(`sandbox faults → ${r.status}: ${r.text}`);
    return r.json;
  }

  async sandboxOrders() {
    return getJson(`${this.sandboxBase}/_sandbox/orders?account=${ACCOUNT}`);
  }

  async sandboxOrder(id) {
    const o = (await this.sandboxOrders()).find((x) => x.id === Number(id));
    if (!o) throw new Error(`the sandbox has no order ${id}`);
    return o;
  }

  // A call to the sandbox's eMAG API as the seller (HTTP Basic, JSON body):
  // changes eMAG's side behind the plugin's back.
  // It shares the account's rate limit with the plugin: a 429 is waited out.
  async sellerCall(route, data) {
    let last;
    const j = await waitFor(async () => {
      const r = await fetch(`${this.sandboxApi}/${route}`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`demo-seller:${SANDBOX_PASSWORD}`).toString('base64'),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ data }),
        signal: AbortSignal.timeout(15000),
      });
      last = `${r.status}: ${await r.clone().text()}`;
      if (r.status === 429) return null;
      const body = await r.json();
      if (r.status !== 200 || body.isError) throw new Error(`sandbox ${route} → ${last}`);
      return body;
    }, { timeout: 10000, interval: 250, what: `sandbox ${route} past its rate limit (last: ${last})` });
    return j;
  }

  async sandboxOffers() {
    return getJson(`${this.sandboxBase}/_sandbox/offers?account=${ACCOUNT}`);
  }
}
