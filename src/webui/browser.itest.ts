/**
 * The dashboard in a real browser (Debian's chromium through playwright-core): log in, upload a
 * descriptor, see its devices on the graph, open one, see an event arrive live, log out; a
 * viewer changes nothing; a session survives a restart. Screenshots go to test-artifacts/webui.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { type APIResponse, type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { buildWebui } from '../../scripts/build-webui.mjs';
import { type RunningController, startController } from '../app/index.js';
import { fixturesMissing, TFS_FIXTURES } from '../common/fixtures.js';

const CHROMIUM = process.env.CNSDN_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(new URL('../../', import.meta.url).pathname, 'test-artifacts', 'webui');
const FIXTURE = join(TFS_FIXTURES, 'ofc22', 'descriptors_emulated.json');
/** Every wait is bounded: a broken UI fails the test instead of hanging it. */
const WAIT = 20_000;

// CI installs chromium (.ci/run); elsewhere the test says why it did not run.
const skip = fixturesMissing || (!existsSync(CHROMIUM) && !process.env.CI ? `no browser at ${CHROMIUM} (apt-get install chromium)` : false);

const ADMIN = { username: 'admin', password: `Adm-${randomBytes(9).toString('base64url')}` };
const VIEWER = { username: 'watcher', password: `View-${randomBytes(9).toString('base64url')}` };

interface Fixture {
  devices: { device_id: { device_uuid: { uuid: string } } }[];
}

/**
 * A request answered by the controller itself, not shed: on a loaded machine the web tier may
 * answer 503 (Retry-After) to clients without a session; those are retried, within a deadline.
 */
async function settled(send: () => Promise<APIResponse>): Promise<APIResponse> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const res = await send();
    if (res.status() !== 503 || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent({ timeout: WAIT })) ?? '';
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** True when the server runs with accounts and sessions (without the auth layer it runs open). */
async function authEnabled(url: string): Promise<boolean> {
  const res = await fetch(`${url}/api/auth/status`);
  return res.status === 200 && ((await res.json()) as { auth?: string }).auth === 'on';
}

/** The CSRF token of the page's session ('' when the server runs open). */
async function csrf(page: Page, url: string): Promise<string> {
  const res = await page.request.get(`${url}/api/auth/me`);
  return res.ok() ? (((await res.json()) as { csrfToken?: string }).csrfToken ?? '') : '';
}

async function logIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${url}/webui/`);
  await page.locator('#login-form').waitFor({ timeout: WAIT });
  await page.fill('input[name=username]', who.username);
  await page.fill('input[name=password]', who.password);
  await page.click('#login-submit');
  await page.locator('#user-role').waitFor({ timeout: WAIT });
}

describe('WebUI in chromium', { skip, timeout: 170_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-webui-it-'));
  const webuiDir = mkdtempSync(join(tmpdir(), 'cnsdn-webui-dist-'));
  const yangDir = mkdtempSync(join(tmpdir(), 'cnsdn-webui-yang-'));
  const saved = { ...process.env };
  let controller: RunningController;
  let browser: Browser;
  let auth = false;
  let adminContext: BrowserContext;
  const pageErrors: string[] = [];
  const outside: string[] = [];

  // Same data directory each time: a restart keeps the accounts and the session keys.
  // Load shedding has its own tests: here a loaded machine must not turn the login page away.
  const guard = { shedLagMs: 30_000, shedLagTrustedMs: 30_000 };
  const start = (port = 0) => startController({ host: '127.0.0.1', port, dataDir, logLevel: 'silent', southboundAllow: '127.0.0.0/8', auth: 'on', initialAdmin: ADMIN, guard });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The UI as it is in the tree now, not whatever dist/ holds.
    await buildWebui({ out: webuiDir, quiet: true });
    process.env.CNSDN_WEBUI_DIR = webuiDir;
    writeFileSync(
      join(yangDir, 'test-interfaces.yang'),
      'module test-interfaces { yang-version 1.1; namespace "urn:cnsdn:test"; prefix ti; revision 2026-01-01; ' +
        'container interfaces { list interface { key "name"; leaf name { type string; } leaf mtu { type uint16; } ' +
        'leaf oper-status { type string; config false; } } } }\n',
    );
    process.env.CNSDN_YANG_PATH = yangDir;
    delete process.env.CNSDN_ADMIN_TOKEN;
    delete process.env.CNSDN_SESSION_KEYS;
    controller = await start();
    auth = await authEnabled(controller.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    await controller?.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webuiDir, { recursive: true, force: true });
    rmSync(yangDir, { recursive: true, force: true });
  });

  // Whatever page a failing test left behind is kept as a screenshot.
  afterEach(async (t) => {
    for (const ctx of browser?.contexts() ?? []) {
      for (const [i, page] of ctx.pages().entries()) {
        await page.screenshot({ path: join(ARTIFACTS, `failed-${t.name.slice(0, 30).replace(/\W+/g, '-')}-${i}.png`) }).catch(() => {});
      }
    }
  });

  const watch = (page: Page) => {
    const origin = new URL(controller.url).origin;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) pageErrors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url());
    });
  };

  it('logs in, uploads a descriptor (dry run, then apply), shows its devices on the graph, opens one, shows an event live, logs out', async () => {
    const page = await adminContext.newPage();
    watch(page);
    const url = controller.url;

    // First render: the shell, its script, then the login form or the dashboard.
    const navStart = Date.now();
    await page.goto(`${url}/webui/`);
    await page.locator(auth ? '#login-form' : '#main h1').waitFor({ timeout: WAIT });
    const firstRender = Date.now() - navStart;
    const paint = await page.evaluate(() => performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)]));
    writeFileSync(join(ARTIFACTS, 'first-render.json'), JSON.stringify({ firstRenderMs: firstRender, paint: Object.fromEntries(paint) }, null, 2));

    if (auth) {
      await shot(page, '01-login');
      // A wrong password is refused with a message, and nothing else happens.
      await page.fill('input[name=username]', ADMIN.username);
      await page.fill('input[name=password]', 'not-the-password');
      await page.click('#login-submit');
      await page.locator('#login-form .error').waitFor({ timeout: WAIT });
      assert.match(await text(page.locator('#login-form .error')), /Wrong username or password/);
      await logIn(page, url, ADMIN);
      assert.equal(await text(page.locator('#user-role')), 'admin');
    }
    await page.locator('[data-testid=empty-topology]').waitFor({ timeout: WAIT });

    // Upload: the dry run reports per entity and writes nothing; apply writes.
    await page.click('a[data-nav=upload]');
    await page.setInputFiles('#descriptor-file', FIXTURE);
    assert.equal(await page.locator('#apply').isDisabled(), true);
    await page.click('#dry-run');
    await page.locator('[data-testid=dry-run-summary]').waitFor({ timeout: WAIT });
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
    const names = fixture.devices.map((d) => d.device_id.device_uuid.uuid);
    assert.match(await text(page.locator('[data-testid=dry-run-summary]')), /created/);
    assert.equal(await page.locator('#dry-run-table tbody tr').count() >= names.length, true);
    const before = (await (await page.request.get(`${url}/tfs-api/devices`)).json()) as { devices: unknown[] };
    assert.equal(before.devices.length, 0, 'a dry run writes nothing');
    await shot(page, '02-upload-dry-run');
    await page.click('#apply');
    await page.locator('[data-testid=apply-summary]').waitFor({ timeout: WAIT });
    await shot(page, '03-upload-applied');

    // A descriptor that is not JSON is refused in the page, before anything is sent.
    await page.setInputFiles('#descriptor-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"devices": [') });
    await page.click('#dry-run');
    await page.locator('.message .error').waitFor({ timeout: WAIT });
    assert.match(await text(page.locator('.message .error')), /Not JSON/);

    // The graph shows every device of the descriptor.
    await page.click('a[data-nav=topology]');
    const graph = page.locator('[data-testid=graph][data-ready]');
    await graph.waitFor({ timeout: WAIT });
    assert.equal(Number(await graph.getAttribute('data-ready')), names.length);
    const drawn = JSON.parse((await graph.getAttribute('data-nodes')) ?? '[]') as { label: string; x: number; y: number }[];
    assert.deepEqual(drawn.map((n) => n.label).sort(), [...names].sort());
    await page.waitForTimeout(300);
    await shot(page, '04-topology');

    // Click-through: clicking a node on the canvas opens that device.
    const target = drawn.find((n) => n.label === 'R1-EMU')!;
    const box = (await graph.boundingBox())!;
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await page.locator('#device-name').waitFor({ timeout: WAIT });
    assert.equal(await text(page.locator('#device-name')), 'R1-EMU');
    assert.ok((await page.locator('#endpoints-table tbody tr').count()) >= 2, 'endpoints listed');
    assert.match(await text(page.locator('#endpoints-table')), /PACKETS_TRANSMITTED/);
    await shot(page, '05-device');

    // Editing a rule from the device page.
    await page.fill('#rule-form input[name=key]', '/interface[13/1/2]/settings');
    await page.fill('#rule-form textarea[name=value]', '{"name": "13/1/2", "enabled": true, "description": "from the browser"}');
    await page.click('#rule-form button[type=submit]');
    await page.locator('table.rules', { hasText: 'from the browser' }).waitFor({ timeout: WAIT });

    // An L2VPN from the form: dry run, create, its path drawn on the graph.
    await page.click('a[data-nav=services]');
    await page.click('#new-service');
    await page.fill('#service-form input[name=name]', 'vpn-browser');
    await page.selectOption('#service-form select[name=ep_a]', { label: 'R1-EMU / 13/1/2' });
    await page.selectOption('#service-form select[name=ep_b]', { label: 'R2-EMU / 13/1/2' });
    await page.fill('#service-form input[name=vlan]', '400');
    assert.equal(await page.locator('#create-service').isDisabled(), true, 'no create before a dry run');
    await page.click('#service-form button[type=submit]');
    await page.locator('#service-preview table').waitFor({ timeout: WAIT });
    assert.match(await text(page.locator('#service-preview')), /O1-OLS/);
    await shot(page, '06-service-dry-run');
    await page.click('#create-service');
    await page.locator('#connections-table tbody tr td[data-label=Path]').waitFor({ timeout: WAIT });
    const pathGraph = page.locator('.card [data-testid=graph][data-ready]');
    await pathGraph.waitFor({ timeout: WAIT });
    const onPath = (JSON.parse((await pathGraph.getAttribute('data-nodes')) ?? '[]') as { label: string; path: boolean }[]).filter((n) => n.path).map((n) => n.label);
    assert.deepEqual(onPath.sort(), ['O1-OLS', 'R1-EMU', 'R2-EMU']);
    await page.locator('.page-head .badge', { hasText: 'ACTIVE' }).waitFor({ timeout: WAIT });
    await shot(page, '07-service');

    // Live: a change made elsewhere appears in the event log without reloading.
    await page.click('a[data-nav=events]');
    await page.locator('#events-table').waitFor({ timeout: WAIT });
    await page.locator('[data-testid=stream-state].live').waitFor({ timeout: WAIT });
    const token = await csrf(page, url);
    const res = await page.request.post(`${url}/tfs-api/devices`, {
      headers: token ? { 'x-csrf-token': token } : {},
      data: { device_id: { device_uuid: { uuid: 'R9-LIVE' } }, device_type: 'emu-packet-router', device_drivers: ['DEVICEDRIVER_UNDEFINED'], device_config: { config_rules: [] }, device_endpoints: [] },
    });
    assert.equal(res.status(), 200, await res.text());
    await page.locator('#event-rows tr[data-kind=device]', { hasText: 'R9-LIVE' }).first().waitFor({ timeout: WAIT });
    await shot(page, '08-events');

    // Names are shown as text, never run as markup.
    const evil = '<img src=x onerror="window.__xss=1">';
    const add = await page.request.post(`${url}/tfs-api/devices`, {
      headers: token ? { 'x-csrf-token': token } : {},
      data: { device_id: { device_uuid: { uuid: evil } }, name: evil, device_type: 'emu-packet-router', device_drivers: ['DEVICEDRIVER_UNDEFINED'], device_config: { config_rules: [] }, device_endpoints: [] },
    });
    assert.equal(add.status(), 200, await add.text());
    await page.click('a[data-nav=devices]');
    await page.locator('#devices-table', { hasText: evil }).waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('#devices-table img').count(), 0);
    await shot(page, '09-devices');

    for (const [nav, name] of [
      ['links', '10-links'],
      ['services', '11-services'],
      ['telemetry', '12-telemetry'],
    ] as const) {
      await page.click(`a[data-nav=${nav}]`);
      await page.locator('#main h1').waitFor({ timeout: WAIT });
      await page.waitForTimeout(300);
      await shot(page, name);
    }

    // A narrow screen: the same pages, laid out for it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('a[data-nav=devices]');
    await page.locator('#devices-table').waitFor({ timeout: WAIT });
    await shot(page, '13-devices-narrow');
    await page.click('a[data-nav=topology]');
    await page.locator('[data-testid=graph][data-ready]').waitFor({ timeout: WAIT });
    await shot(page, '14-topology-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });

    if (auth) {
      const before = (await adminContext.cookies(url)).find((c) => c.name === 'cnsdn_session');
      assert.ok(before, 'a session cookie');
      await page.click('#logout');
      await page.locator('#login-form').waitFor({ timeout: WAIT });
      await page.goto(`${url}/webui/devices`);
      await page.locator('#login-form').waitFor({ timeout: WAIT });
      assert.equal((await settled(() => page.request.get(`${url}/tfs-api/devices`))).status(), 401, 'the session ended with the logout');
      const replayed = await fetch(`${url}/tfs-api/devices`, { headers: { cookie: `cnsdn_session=${before!.value}` } });
      assert.equal(replayed.status, 401, 'a copy of the cookie kept from before the logout is refused by the server');
      await logIn(page, url, ADMIN);
      // The audit log shows the refused login and the logout.
      await page.click('a[data-nav=audit]');
      await page.locator('#audit-table tbody tr', { hasText: 'logout' }).first().waitFor({ timeout: WAIT });
      await page.selectOption('#audit-outcome', 'failure');
      await page.locator('#audit-table tbody tr', { hasText: '401' }).first().waitFor({ timeout: WAIT });
      await shot(page, '17-audit');
    }
    await page.close();
    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
    assert.deepEqual(outside, [], 'no request to another host');
  });

  it('adds a link from the form, creates and revokes an API token, browses a device\'s YANG models', async () => {
    const page = await adminContext.newPage();
    watch(page);
    const url = controller.url;
    await page.goto(`${url}/webui/links`);
    if (auth && (await page.locator('#login-form').count()) > 0) await logIn(page, url, ADMIN);
    await page.locator('#links-table').waitFor({ timeout: WAIT });

    // A link between two copper ports; the name follows the chosen endpoints.
    await page.click('#main details summary');
    await page.selectOption('#add-link select[name=a]', { label: 'R1-EMU / 13/1/2' });
    await page.selectOption('#add-link select[name=b]', { label: 'R2-EMU / 13/1/2' });
    assert.equal(await page.inputValue('#add-link input[name=name]'), 'R1-EMU/13/1/2==R2-EMU/13/1/2');
    await page.selectOption('#add-link select[name=type]', 'LINKTYPE_COPPER');
    await shot(page, '18-link-add');
    await page.click('#add-link button[type=submit]');
    await page.locator('#main h1', { hasText: 'R1-EMU/13/1/2==R2-EMU/13/1/2' }).waitFor({ timeout: WAIT });
    const link = (await (await page.request.get(`${url}/tfs-api/link/${encodeURIComponent('R1-EMU/13/1/2==R2-EMU/13/1/2')}`)).json()) as { link_type: string; link_endpoint_ids: unknown[] };
    assert.equal(link.link_type, 'LINKTYPE_COPPER');
    assert.equal(link.link_endpoint_ids.length, 2);

    if (auth) {
      // API tokens: the secret is shown once, the token works as a bearer, revoking ends it.
      await page.click('a[data-nav="api tokens"]');
      await page.fill('#add-token input[name=name]', 'browser-test');
      await page.selectOption('#add-token select[name=role]', 'operator');
      await page.click('#add-token button[type=submit]');
      const secret = await text(page.locator('#new-token'));
      assert.match(secret, /^cnsdn_/);
      await page.locator('#tokens-table tbody tr', { hasText: 'browser-test' }).waitFor({ timeout: WAIT });
      await shot(page, '19-tokens');
      const asToken = () => fetch(`${url}/tfs-api/devices`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
      assert.equal(await asToken(), 200);
      page.once('dialog', (d) => void d.accept());
      await page.locator('#tokens-table tbody tr', { hasText: 'browser-test' }).locator('button').click();
      await page.locator('#tokens-table tbody tr', { hasText: 'browser-test' }).waitFor({ state: 'detached', timeout: WAIT });
      assert.equal(await asToken(), 401);
    }

    // YANG models: R1-EMU is emulated (no driver modules); the module asked for is shown as a tree.
    await page.goto(`${url}/webui/devices/R1-EMU`);
    await page.click('#device-yang');
    await page.locator('#yang-modules').waitFor({ timeout: WAIT });
    await page.fill('#yang-modules', 'test-interfaces');
    await page.click('#main form button[type=submit]');
    const tree = page.locator('ul.yang-tree[data-module=test-interfaces]');
    await tree.waitFor({ timeout: WAIT });
    await tree.locator('summary', { hasText: 'rw interfaces' }).click();
    await tree.locator('summary', { hasText: 'rw interface* [name]' }).click();
    await tree.locator('li', { hasText: 'ro oper-status? string' }).first().waitFor({ timeout: WAIT });
    await page.fill('#yang-filter', 'mtu');
    await page.locator('ul.yang-tree li', { hasText: 'oper-status' }).first().waitFor({ state: 'detached', timeout: WAIT });
    await page.locator('ul.yang-tree li', { hasText: 'rw mtu? uint16' }).first().waitFor({ timeout: WAIT });
    await shot(page, '20-yang');
    await page.close();
  });

  it('a viewer sees everything and can change nothing', async (t) => {
    if (!auth) return t.skip('the server has no accounts yet (runs open)');
    const url = controller.url;
    const admin = await adminContext.newPage();
    await admin.goto(`${url}/webui/`);
    const created = await admin.request.post(`${url}/api/users`, {
      headers: { 'x-csrf-token': await csrf(admin, url) },
      data: { username: VIEWER.username, password: VIEWER.password, role: 'viewer' },
    });
    assert.ok(created.ok(), await created.text());
    await admin.close();

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      watch(page);
      await logIn(page, url, VIEWER);
      assert.equal(await text(page.locator('#user-role')), 'viewer');
      assert.equal(await page.locator('a[data-nav=upload]').count(), 0, 'no upload for a viewer');
      await page.goto(`${url}/webui/upload`);
      await page.locator('[data-testid=read-only]').waitFor({ timeout: WAIT });
      assert.equal(await page.locator('#dry-run').count(), 0);
      assert.equal(await page.locator('a[data-nav=audit]').count(), 0, 'no audit log for a viewer');
      await page.click('a[data-nav=devices]');
      await page.locator('#devices-table').waitFor({ timeout: WAIT });
      assert.equal(await page.locator('#add-device').count(), 0);
      await page.locator('[data-testid=read-only]').waitFor({ timeout: WAIT });
      await page.locator('#devices-table a', { hasText: 'R1-EMU' }).click();
      await page.locator('#device-name').waitFor({ timeout: WAIT });
      assert.equal(await page.locator('#delete-device').count(), 0);
      assert.equal(await page.locator('#rule-form').count(), 0);
      await shot(page, '15-viewer-device');
      // The server refuses anyway, even with a valid session and CSRF token.
      const token = await csrf(page, url);
      const del = await settled(() => page.request.delete(`${url}/tfs-api/device/R1-EMU`, { headers: { 'x-csrf-token': token } }));
      assert.equal(del.status(), 403);
      const upload = await settled(() => page.request.post(`${url}/tfs-api/descriptors`, { headers: { 'x-csrf-token': token }, data: { devices: [] } }));
      assert.equal(upload.status(), 403);
      assert.equal((await page.request.get(`${url}/tfs-api/device/R1-EMU`)).status(), 200, 'the device is still there');
    } finally {
      await context.close();
    }
  });

  it('a session cookie still works after the controller restarts', async (t) => {
    if (!auth) return t.skip('the server has no accounts yet (runs open)');
    // A page left open across the restart (same address): its event stream comes back by itself.
    const page = await adminContext.newPage();
    watch(page);
    await page.goto(`${controller.url}/webui/events`);
    await page.locator('[data-testid=stream-state].live').waitFor({ timeout: WAIT });
    const port = Number(new URL(controller.url).port);
    await controller.close();
    await page.locator('[data-testid=stream-state]:not(.live)').waitFor({ timeout: WAIT });
    controller = await start(port);
    await page.locator('[data-testid=stream-state].live').waitFor({ timeout: WAIT });
    // The new process numbers its events from 1 again: they must still reach the log.
    const token = await csrf(page, controller.url);
    assert.notEqual(token, '', 'the old cookie is a session of the new process');
    const res = await settled(() =>
      page.request.post(`${controller.url}/tfs-api/devices`, {
        headers: { 'x-csrf-token': token },
        data: { device_id: { device_uuid: { uuid: 'R10-AFTER' } }, device_type: 'emu-packet-router', device_drivers: ['DEVICEDRIVER_UNDEFINED'], device_config: { config_rules: [] }, device_endpoints: [] },
      }),
    );
    assert.equal(res.status(), 200, await res.text());
    await page.locator('#event-rows tr[data-kind=device]', { hasText: 'R10-AFTER' }).first().waitFor({ timeout: WAIT });

    await page.click('a[data-nav=devices]');
    await page.locator('#devices-table').waitFor({ timeout: WAIT });
    assert.equal(await text(page.locator('#user-name')), ADMIN.username);
    assert.equal(await page.locator('#login-form').count(), 0);
    // And it can still write (the CSRF token of the same session is accepted).
    await page.locator('#devices-table a', { hasText: 'R1-EMU' }).click();
    await page.fill('#rule-form input[name=key]', '/after/restart');
    await page.fill('#rule-form textarea[name=value]', '"yes"');
    await page.click('#rule-form button[type=submit]');
    await page.locator('table.rules', { hasText: '/after/restart' }).waitFor({ timeout: WAIT });
    await shot(page, '16-after-restart');
    await page.close();
  });
});
