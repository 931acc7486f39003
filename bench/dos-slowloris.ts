/**
 * Scenario (d) of `npm run bench:dos`: holds up to N connections from one address open the
 * slowloris way (a request line and one more header line every few seconds, never the end of
 * the headers), reopening each one the server closes after a short pause.
 * Usage: node --import tsx bench/dos-slowloris.ts <port> <connections> <seconds> [local address]
 * Prints one JSON line per second: {open, opened, closedByServer, refused, timedOut408}.
 */
import { connect, type Socket } from 'node:net';

const [portArg, countArg, secondsArg, local = '127.0.0.1'] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const seconds = Number(secondsArg);
if (!(port > 0) || !(count > 0) || !(seconds > 0)) {
  process.stderr.write('usage: dos-slowloris.ts <port> <connections> <seconds> [local address]\n');
  process.exit(2);
}

const DRIP_MS = 5000;
const REOPEN_MS = 200;
const stats = { open: 0, opened: 0, closedByServer: 0, refused: 0, timedOut408: 0, maxOpen: 0 };
let stopping = false;
const sockets = new Set<Socket>();

function hold(): void {
  if (stopping) return;
  const s = connect({ host: '127.0.0.1', port, localAddress: local });
  let first = '';
  let connected = false;
  let drip: NodeJS.Timeout | undefined;
  sockets.add(s);
  s.on('connect', () => {
    connected = true;
    stats.open++;
    stats.opened++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    s.write(`GET /webui HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    let n = 0;
    drip = setInterval(() => s.write(`X-Slow-${n++}: ${'a'.repeat(8)}\r\n`), DRIP_MS);
  });
  s.on('data', (c: Buffer) => {
    if (first.length < 16) first += c.toString('latin1');
  });
  s.on('error', () => {});
  s.on('close', () => {
    sockets.delete(s);
    if (drip) clearInterval(drip);
    if (connected) stats.open--;
    if (!stopping) {
      stats.closedByServer++;
      if (first.startsWith('HTTP/1.1 503')) stats.refused++;
      else if (first.startsWith('HTTP/1.1 408')) stats.timedOut408++;
      setTimeout(hold, REOPEN_MS);
    }
  });
}

// Opened in batches, as a client with a connection budget would.
let started = 0;
const opener = setInterval(() => {
  for (let i = 0; i < 200 && started < count; i++, started++) hold();
  if (started >= count) clearInterval(opener);
}, 50);

const report = setInterval(() => process.stdout.write(`${JSON.stringify(stats)}\n`), 1000);
setTimeout(() => {
  stopping = true;
  clearInterval(report);
  clearInterval(opener);
  process.stdout.write(`${JSON.stringify({ ...stats, done: true })}\n`);
  for (const s of sockets) s.destroy();
  setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
