import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateTestPki, writePki } from '../../protocols/gnmi/index.js';
import { type GnmiSim, startGnmiSim } from '../../sim/gnmi/run.js';
import { parseUser } from '../../sim/gnmi/users.js';
import { run } from '../program.js';
import { type CapturedIO, captureIO } from '../testing.js';
import type { GnmiDeps } from './gnmi.js';
import { defaultServeDeps } from './serve.js';

const E1 = '/interfaces/interface[name=Ethernet1]';
const PASSWORD = 'Adm1n-s3cret';

interface Result {
  code: number;
  out: string;
  err: string;
}

interface Running {
  io: CapturedIO;
  signals: EventEmitter;
  done: Promise<number>;
}

/** Runs `cnsdn gnmi ...` in process; the returned signals stand in for the process's. */
function start(args: string[], env: Record<string, string> = {}, stdin?: NodeJS.ReadableStream & { isTTY?: boolean }): Running {
  const io = captureIO(env);
  const signals = new EventEmitter();
  // run() hands its ServeDeps to the gnmi command too, which reads `signals` and `stdin` from it.
  const deps: GnmiDeps & typeof defaultServeDeps = { ...defaultServeDeps, signals, stdin };
  const done = run(['--timeout', '5s', 'gnmi', ...args], io, deps);
  return { io, signals, done };
}

async function gnmi(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const r = start(args, env);
  const code = await r.done;
  return { code, out: r.io.out(), err: r.io.err() };
}

async function until(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ndjson = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const isSync = (m: Record<string, unknown>) => m['sync-response'] === true;

interface UpdateMsg {
  Path: string;
  values: Record<string, unknown>;
}

const valuesOf = (msgs: Record<string, unknown>[]): Record<string, unknown>[] =>
  msgs.flatMap((m) => ((m.updates as UpdateMsg[] | undefined) ?? []).map((u) => u.values));

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('cnsdn gnmi against simulated targets', { timeout: 120_000 }, () => {
  let dir: string;
  let tlsSim: GnmiSim;
  let plainSim: GnmiSim;
  let mtlsSim: GnmiSim;
  let otherCa: string;
  let tls: string[];
  let plain: string[];
  const admin = ['-u', 'admin', '-p', PASSWORD];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnsdn-gnmi-cli-'));
    const users = [parseUser(`admin:${PASSWORD}:rw`), parseUser('viewer:viewer-pw:ro')];
    tlsSim = await startGnmiSim({ port: 0, tls: { dir: join(dir, 'pki') }, users, defaultSampleIntervalMs: 50 });
    plainSim = await startGnmiSim({ port: 0, count: 2, tls: 'insecure', users, defaultSampleIntervalMs: 50 });
    mtlsSim = await startGnmiSim({ port: 0, tls: { dir: join(dir, 'mtls'), requireClientCert: true }, users });
    otherCa = (await writePki(join(dir, 'other'), await generateTestPki())).caCert;
    tls = ['-a', tlsSim.targets[0].address, '--tls-ca', tlsSim.pki!.caCert];
    plain = ['-a', plainSim.targets[0].address, '--insecure'];
  });

  after(async () => {
    await Promise.all([tlsSim?.close(), plainSim?.close(), mtlsSim?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('capabilities lists the models and encodings (text and JSON), over verified TLS', async () => {
    const text = await gnmi(['capabilities', ...tls, ...admin]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^gNMI version: 0\.10\.0\nsupported models:\n/);
    assert.match(text.out, /\n {2}- openconfig-interfaces, OpenConfig working group, \d+\.\d+\.\d+\n/);
    assert.match(text.out, /supported encodings:\n {2}- JSON\n {2}- JSON_IETF\n {2}- PROTO\n {2}- ASCII\n$/);
    const json = await gnmi(['capabilities', ...tls, ...admin, '--format', 'json']);
    assert.equal(json.code, 0, json.err);
    const caps = JSON.parse(json.out) as { version: string; 'supported-models': { name: string }[]; encodings: string[] };
    assert.equal(caps.version, '0.10.0');
    assert.ok(caps['supported-models'].some((m) => m.name === 'openconfig-network-instance'));
    assert.deepEqual(caps.encodings, ['JSON', 'JSON_IETF', 'PROTO', 'ASCII']);
  });

  it('get prints the notifications as gnmic JSON: source, timestamp, time, updates [{Path, values}]', async () => {
    const r = await gnmi(['get', ...tls, ...admin, '-e', 'json_ietf', '--path', `${E1}/config`, '--path', '/system/config/hostname']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const msgs = JSON.parse(r.out) as { source: string; timestamp: number; time: string; updates: UpdateMsg[] }[];
    assert.equal(msgs.length, 2);
    for (const m of msgs) {
      assert.deepEqual(Object.keys(m), ['source', 'timestamp', 'time', 'updates']);
      assert.equal(m.source, tlsSim.targets[0].address);
      assert.ok(Math.abs(Date.parse(m.time) - Date.now()) < 60_000, m.time);
    }
    const stamp = /"timestamp": (\d+),\n\s+"time": "([^"]+)"/.exec(r.out)!;
    assert.match(stamp[1], /^\d{19}$/, 'the nanosecond timestamp is printed digit for digit');
    assert.equal(Date.parse(stamp[2]), Number(BigInt(stamp[1]) / 1_000_000n));
    assert.deepEqual(msgs[0].updates[0].Path, 'interfaces/interface[name=Ethernet1]/config');
    const config = msgs[0].updates[0].values['interfaces/interface/config'] as Record<string, unknown>;
    assert.equal(config.name, 'Ethernet1');
    assert.equal(typeof config.mtu, 'number');
    assert.deepEqual(msgs[1].updates, [{ Path: 'system/config/hostname', values: { 'system/config/hostname': 'sim1' } }]);
  });

  it('get -e proto returns one scalar update per leaf; --prefix and --type apply', async () => {
    const r = await gnmi(['get', ...plain, ...admin, '-e', 'proto', '--prefix', E1, '--path', 'state/counters', '--type', 'state']);
    assert.equal(r.code, 0, r.err);
    const [m] = JSON.parse(r.out) as { updates: UpdateMsg[] }[];
    const octets = m.updates.find((u) => u.Path.endsWith('/in-octets'));
    assert.ok(octets, r.out);
    assert.equal(typeof octets.values['interfaces/interface/state/counters/in-octets'], 'number');
    assert.ok(m.updates.length > 5);
  });

  it('set updates (text and JSON values, paired in order, @file), prints the SetResponse, and get shows the change', async () => {
    const file = join(dir, 'e2.json');
    await writeFile(file, JSON.stringify({ description: 'from a file', mtu: 1400 }));
    const set = await gnmi([
      'set',
      ...tls,
      ...admin,
      '-e',
      'json_ietf',
      '--update-path',
      `${E1}/config/description`,
      '--update-value',
      'uplink to spine1',
      '--update-path',
      `${E1}/config/mtu`,
      '--update-value',
      '9000',
      '--update-path',
      '/interfaces/interface[name=Ethernet2]/config',
      '--update-value',
      `@${file}`,
    ]);
    assert.equal(set.code, 0, set.err);
    const res = JSON.parse(set.out) as { source: string; timestamp: number; time: string; results: { operation: string; path: string }[] };
    assert.equal(res.source, tlsSim.targets[0].address);
    assert.match(set.out, /"timestamp": \d{19},/);
    assert.deepEqual(res.results, [
      { operation: 'UPDATE', path: 'interfaces/interface[name=Ethernet1]/config/description' },
      { operation: 'UPDATE', path: 'interfaces/interface[name=Ethernet1]/config/mtu' },
      { operation: 'UPDATE', path: 'interfaces/interface[name=Ethernet2]/config' },
    ]);
    const leaves = async (iface: string) => {
      const get = await gnmi(['get', ...tls, ...admin, '-e', 'proto', '--path', `/interfaces/interface[name=${iface}]/config`]);
      assert.equal(get.code, 0, get.err);
      return Object.assign({}, ...valuesOf(JSON.parse(get.out))) as Record<string, unknown>;
    };
    const e1 = await leaves('Ethernet1');
    assert.equal(e1['interfaces/interface/config/description'], 'uplink to spine1');
    assert.equal(e1['interfaces/interface/config/mtu'], 9000);
    const e2 = await leaves('Ethernet2');
    assert.equal(e2['interfaces/interface/config/description'], 'from a file');
    assert.equal(e2['interfaces/interface/config/mtu'], 1400);
  });

  it('set --delete and --replace go in one request; a deleted leaf is then NOT_FOUND', async () => {
    const set = await gnmi([
      'set',
      ...plain,
      ...admin,
      '--update-path',
      `${E1}/config/description`,
      '--update-value',
      'temporary',
    ]);
    assert.equal(set.code, 0, set.err);
    const both = await gnmi([
      'set',
      ...plain,
      ...admin,
      '--delete',
      `${E1}/config/description`,
      '--replace-path',
      '/system/config/hostname',
      '--replace-value',
      '"edge7"',
    ]);
    assert.equal(both.code, 0, both.err);
    assert.deepEqual(
      (JSON.parse(both.out) as { results: { operation: string }[] }).results.map((r) => r.operation),
      ['DELETE', 'REPLACE'],
    );
    const gone = await gnmi(['get', ...plain, ...admin, '--path', `${E1}/config/description`]);
    assert.equal(gone.code, 1);
    assert.match(gone.err, /^error: NOT_FOUND: .*description/);
    const host = await gnmi(['get', ...plain, ...admin, '--path', '/system/config/hostname']);
    assert.match(host.out, /"system\/config\/hostname": "edge7"/);
  });

  it('set with a bad value exits non-zero with the target message, and applies nothing', async () => {
    const r = await gnmi([
      'set',
      ...tls,
      ...admin,
      '--update-path',
      `${E1}/config/description`,
      '--update-value',
      'must not stick',
      '--update-path',
      `${E1}/config/mtu`,
      '--update-value',
      'abc',
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err, 'error: INVALID_ARGUMENT: /interfaces/interface[name=Ethernet1]/config/mtu: "abc" is not a uint16 in 0..65535\n');
    const get = await gnmi(['get', ...tls, ...admin, '--path', `${E1}/config/description`]);
    assert.doesNotMatch(get.out, /must not stick/);
  });

  it('a read-only user is refused a set with PERMISSION_DENIED', async () => {
    const r = await gnmi(['set', ...plain, '-u', 'viewer', '-p', 'viewer-pw', '--update-path', `${E1}/config/mtu`, '--update-value', '1600']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'error: PERMISSION_DENIED: user viewer is read-only\n');
  });

  it('usage errors exit 2 without contacting the target', async () => {
    const cases: [string[], RegExp][] = [
      [['set', ...plain, '--update-path', '/a', '--update-path', '/b', '--update-value', '1'], /--update-path given 2 time\(s\) but --update-value 1/],
      [['set', ...plain], /nothing to set/],
      [['get', ...plain, '--path', '/a[b'], /invalid gNMI path "\/a\[b"/],
      [['get', ...plain], /required option '--path <path>' not specified/],
      [['get', '--path', '/a'], /required option '-a, --address/],
      [['get', ...plain, '--tls-ca', '/etc/hostname', '--path', '/a'], /--insecure \(plaintext\) cannot be combined with --tls-ca/],
      [['get', ...plain, '-e', 'xml', '--path', '/a'], /use one of json, json_ietf, proto, ascii/],
      [['subscribe', ...plain, '--path', '/a', '--sample-interval', '10'], /expected a duration such as 10s/],
      [['subscribe', ...plain, '--path', '/a', '--mode', 'sometimes'], /Allowed choices are stream, once, poll/],
      [['set', ...plain, '-e', 'proto', '--update-path', '/a', '--update-value', '{"x":1}'], /scalar values only/],
    ];
    for (const [args, message] of cases) {
      const r = await gnmi(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
    }
  });

  it('subscribe --mode once prints NDJSON notifications, then {"sync-response": true}, and exits', async () => {
    const r = await gnmi(['subscribe', ...tls, ...admin, '--mode', 'once', '-e', 'proto', '--path', `${E1}/state/counters`, '--path', '/system/config']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.at(-1), '{"sync-response":true}');
    const msgs = ndjson(r.out);
    assert.equal(msgs.filter(isSync).length, 1);
    const notes = msgs.slice(0, -1);
    assert.ok(notes.length >= 2);
    for (const n of notes) {
      assert.equal(n.source, tlsSim.targets[0].address);
      assert.match(String(n.time), /^\d{4}-\d\d-\d\dT/);
    }
    const all = Object.assign({}, ...valuesOf(notes)) as Record<string, unknown>;
    assert.equal(typeof all['in-octets'], 'number');
    assert.equal(typeof all.hostname, 'string');
  });

  it('subscribe stream SAMPLE stops after --count notifications; the counters move', async () => {
    const r = await gnmi([
      'subscribe',
      ...plain,
      ...admin,
      '-e',
      'proto',
      '--path',
      `${E1}/state/counters/in-octets`,
      '--stream-mode',
      'sample',
      '--sample-interval',
      '100ms',
      '--count',
      '3',
    ]);
    assert.equal(r.code, 0, r.err);
    const msgs = ndjson(r.out);
    assert.deepEqual(msgs.map(isSync), [false, true, false, false], r.out);
    const octets = valuesOf(msgs).map((v) => v['in-octets'] as number);
    assert.equal(octets.length, 3);
    assert.ok(octets[0] < octets[1] && octets[1] < octets[2], `in-octets should grow: ${octets}`);
  });

  it('subscribe ON_CHANGE streams a change made by set, and stops with exit 0 on SIGINT', async () => {
    const sub = start(['subscribe', ...plain, ...admin, '--path', '/system/config/hostname', '--stream-mode', 'on_change']);
    await until('the sync', () => sub.io.out().includes('"sync-response"'));
    const set = await gnmi(['set', ...plain, ...admin, '--update-path', '/system/config/hostname', '--update-value', 'renamed-by-test']);
    assert.equal(set.code, 0, set.err);
    await until('the change', () => sub.io.out().includes('renamed-by-test'));
    sub.signals.emit('SIGINT');
    assert.equal(await sub.done, 0, sub.io.err());
    assert.equal(sub.signals.listenerCount('SIGINT') + sub.signals.listenerCount('SIGTERM'), 0);
    const after = ndjson(sub.io.out());
    assert.deepEqual(valuesOf(after.slice(after.findIndex(isSync) + 1)), [{ hostname: 'renamed-by-test' }]);
  });

  it('subscribe --updates-only starts with the sync, then only changes', async () => {
    const sub = start(['subscribe', ...plain, ...admin, '--path', `${E1}/config/mtu`, '--stream-mode', 'on_change', '--updates-only', '--count', '1', '-e', 'proto']);
    await until('the sync', () => sub.io.out().includes('"sync-response"'));
    const set = await gnmi(['set', ...plain, ...admin, '-e', 'proto', '--update-path', `${E1}/config/mtu`, '--update-value', '1234']);
    assert.equal(set.code, 0, set.err);
    assert.equal(await sub.done, 0, sub.io.err());
    const msgs = ndjson(sub.io.out());
    assert.deepEqual(msgs.map(isSync), [true, false]);
    assert.deepEqual(valuesOf(msgs), [{ mtu: 1234 }]);
  });

  it('subscribe --mode poll polls every --sample-interval, a sync after each poll', async () => {
    const r = await gnmi(['subscribe', ...plain, ...admin, '--mode', 'poll', '--sample-interval', '100ms', '--count', '3', '--path', '/system/config/hostname']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ndjson(r.out).map(isSync), [false, true, false, true, false]);
    const noTty = start(['subscribe', ...plain, '--mode', 'poll', '--path', '/system']);
    assert.equal(await noTty.done, 2);
    assert.match(noTty.io.err(), /--mode poll needs --sample-interval when stdin is not a terminal/);
  });

  it('subscribe --mode poll at a terminal polls on each Enter', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const sub = start(['subscribe', ...plain, ...admin, '--mode', 'poll', '--path', '/system/config/hostname'], {}, stdin);
    const syncs = () => ndjson(sub.io.out()).filter(isSync).length;
    await until('the initial sync', () => syncs() === 1);
    assert.match(sub.io.err(), /press Enter to poll/);
    stdin.write('\n');
    await until('the first poll', () => syncs() === 2);
    stdin.write('\n');
    await until('the second poll', () => syncs() === 3);
    sub.signals.emit('SIGTERM');
    assert.equal(await sub.done, 0);
    assert.deepEqual(ndjson(sub.io.out()).map(isSync), [false, true, false, true, false, true]);
  });

  it('a target that stops mid-stream: exit 1 with "is the target running"', async () => {
    const address = plainSim.targets[1].address;
    const sub = start(['subscribe', '-a', address, '--insecure', ...admin, '--path', '/system/config/hostname']);
    await until('the sync', () => sub.io.out().includes('"sync-response"'));
    await plainSim.stop(1);
    try {
      assert.equal(await sub.done, 1);
      assert.match(sub.io.err(), new RegExp(`^error: (UNAVAILABLE|CANCELLED): .* is the target running at ${address.replace(/\./g, '\\.')}\\?\\n$`));
    } finally {
      await plainSim.start(1);
    }
  });

  it('a CA that did not sign the target certificate: a TLS error, exit 1, no fallback', async () => {
    const r = await gnmi(['get', '-a', tlsSim.targets[0].address, '--tls-ca', otherCa, ...admin, '--path', '/system']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^error: TLS error: TLS handshake with 127\.0\.0\.1:\d+ failed: .*certificate.* not trusted: pass the CA that signed it with --tls-ca/);
    const noCa = await gnmi(['get', '-a', tlsSim.targets[0].address, ...admin, '--path', '/system']);
    assert.equal(noCa.code, 1);
    assert.match(noCa.err, /^error: TLS error: .*(self-signed|SELF_SIGNED)/);
    const skip = await gnmi(['get', '-a', tlsSim.targets[0].address, '--skip-verify', ...admin, '--path', '/system/config/hostname']);
    assert.equal(skip.code, 0, skip.err);
  });

  it('TLS to a plaintext target fails (never downgrades); --insecure to a TLS target says so', async () => {
    const toPlain = await gnmi(['get', '-a', plainSim.targets[0].address, '--tls-ca', tlsSim.pki!.caCert, ...admin, '--path', '/system']);
    assert.equal(toPlain.code, 1);
    assert.match(toPlain.err, /^error: TLS error: .*the target may be plaintext/);
    const toTls = await gnmi(['get', '-a', tlsSim.targets[0].address, '--insecure', ...admin, '--path', '/system']);
    assert.equal(toTls.code, 1);
    assert.match(toTls.err, /drop --insecure/);
  });

  it('mutual TLS: --tls-cert/--tls-key are presented; without them the target refuses', async () => {
    const pki = mtlsSim.pki!;
    const base = ['-a', mtlsSim.targets[0].address, '--tls-ca', pki.caCert, ...admin, '--path', '/system/config/hostname'];
    const ok = await gnmi(['get', ...base, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey]);
    assert.equal(ok.code, 0, ok.err);
    const refused = await gnmi(['get', ...base]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^error: TLS error: .* the target requires a client certificate: pass --tls-cert and --tls-key\n$/);
  });

  it('a wrong password is UNAUTHENTICATED; the password is never printed; CNSDN_GNMI_PASSWORD is used', async () => {
    const r = await gnmi(['get', ...tls, '-u', 'admin', '-p', 'Wr0ng-pa55', '--path', '/system']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'error: UNAUTHENTICATED: invalid username or password (check -u/--username and -p/--password or CNSDN_GNMI_PASSWORD)\n');
    assert.doesNotMatch(r.out + r.err, /Wr0ng-pa55/);
    const env = await gnmi(['get', ...tls, '-u', 'admin', '--path', '/system/config/hostname'], { CNSDN_GNMI_PASSWORD: PASSWORD });
    assert.equal(env.code, 0, env.err);
    assert.doesNotMatch(env.out + env.err, new RegExp(PASSWORD));
  });

  it('an unreachable port: "is the target running at HOST:PORT?"', async () => {
    const port = await closedPort();
    for (const security of [['--insecure'], ['--tls-ca', tlsSim.pki!.caCert]]) {
      const r = await gnmi(['capabilities', '-a', `127.0.0.1:${port}`, ...security, ...admin]);
      assert.equal(r.code, 1);
      assert.equal(r.err, `error: cannot connect to 127.0.0.1:${port}: connection refused — is the target running at 127.0.0.1:${port}?\n`);
    }
  });
});

describe('cnsdn gnmi (spawned binaries)', { timeout: 60_000 }, () => {
  const bin = (name: string) => fileURLToPath(new URL(`../../../bin/${name}`, import.meta.url));

  it('bin/cnsdn.js gnmi get against bin/cnsdn-sim.js gnmi --insecure --port 0', async () => {
    const sim = spawn(process.execPath, [bin('cnsdn-sim.js'), 'gnmi', '--insecure', '--port', '0', '--user', 'ops:0ps-pw:rw'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      sim.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await until('the simulator ready line', () => /listening on (127\.0\.0\.1:\d+)/.test(out), 30_000);
      const address = /listening on (127\.0\.0\.1:\d+)/.exec(out)![1];
      const cli = spawn(
        process.execPath,
        [bin('cnsdn.js'), 'gnmi', 'get', '-a', address, '--insecure', '-u', 'ops', '--path', '/system/config/hostname', '-e', 'json_ietf'],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CNSDN_GNMI_PASSWORD: '0ps-pw' } },
      );
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      cli.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
      assert.equal(code, 0, stderr);
      const [m] = JSON.parse(stdout) as { source: string; updates: UpdateMsg[] }[];
      assert.equal(m.source, address);
      assert.deepEqual(m.updates, [{ Path: 'system/config/hostname', values: { 'system/config/hostname': 'sim1' } }]);
    } finally {
      sim.kill('SIGTERM');
    }
  });
});
