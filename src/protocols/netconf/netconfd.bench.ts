// Micro-benchmark against the candidate netconfd device of scripts/netconf-devices.sh.
// Run: npx tsx src/protocols/netconf/netconfd.bench.ts [--dir /tmp/cnsdn-netconf]
import { readFileSync } from 'node:fs';
import { NetconfClient } from './index.js';

const dirArg = process.argv.indexOf('--dir');
const dir = dirArg > 0 ? process.argv[dirArg + 1] : (process.env.CNSDN_NETCONF_DIR ?? '/tmp/cnsdn-netconf');
const env = Object.fromEntries(
  readFileSync(`${dir}/env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const port = Number(env.CNSDN_TEST_NETCONF_PORTS.split(',')[0]);
const opts = {
  host: '127.0.0.1',
  port,
  username: env.CNSDN_TEST_NETCONF_USER,
  password: env.CNSDN_TEST_NETCONF_PASSWORD,
  hostKey: { knownHostsFile: env.CNSDN_TEST_NETCONF_KNOWN_HOSTS },
};
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function report(name: string, samples: number[]): void {
  const f = (n: number) => n.toFixed(2);
  console.log(`${name.padEnd(28)} n=${String(samples.length).padEnd(4)} p50 ${f(pct(samples, 50))} ms  p99 ${f(pct(samples, 99))} ms  max ${f(Math.max(...samples))} ms`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const setup: number[] = [];
for (let i = 0; i < 10; i++) {
  let c: NetconfClient | undefined;
  setup.push(await timed(async () => {
    c = await NetconfClient.connect(opts);
  }));
  await c?.close();
}
report('session setup (ssh+hello)', setup);

const client = await NetconfClient.connect(opts);
const getConfig: number[] = [];
for (let i = 0; i < 200; i++) getConfig.push(await timed(() => client.getConfig('running')));
report('get-config running', getConfig);

const name = `bench${process.pid % 100000}`;
const edit: number[] = [];
try {
  for (let i = 0; i < 100; i++) {
    const config = `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type><description>run ${i}</description></interface></interfaces>`;
    edit.push(await timed(async () => {
      await client.editConfig('candidate', config);
      await client.commit();
    }));
  }
  report('edit-config + commit', edit);
} finally {
  await client.editConfig('candidate', `<interfaces xmlns="${IF_NS}" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interface nc:operation="remove"><name>${name}</name></interface></interfaces>`);
  await client.commit();
  await client.close();
}
