/** Test helpers: bounded polling, a minimal SSE reader, and an emulated driver whose session can be dropped. */
import http from 'node:http';
import type { Driver, DriverConnectConfig, DriverFactory, StateSample } from '../device/index.js';
import { EmulatedDriver } from '../device/index.js';

/** Polls fn until pred holds; returns the last value (the caller asserts on it). */
export async function until<T>(fn: () => T | Promise<T>, pred: (v: T) => boolean, timeoutMs = 5000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!pred(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, stepMs));
    v = await fn();
  }
  return v;
}

export interface SseFrame {
  event?: string;
  data?: string;
}

export interface SseClient {
  res: http.IncomingMessage;
  frames: SseFrame[];
  ended: Promise<void>;
  close(): void;
}

export function sseConnect(port: number, path: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream' } }, (res) => {
      const frames: SseFrame[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const frame: SseFrame = {};
          for (const line of buf.slice(0, cut).split('\n')) {
            if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = line.slice(6);
          }
          if (frame.event !== undefined || frame.data !== undefined) frames.push(frame);
          buf = buf.slice(cut + 2);
          cut = buf.indexOf('\n\n');
        }
      });
      const ended = new Promise<void>((r) => {
        res.on('end', r);
        res.on('close', r);
      });
      resolve({ res, frames, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

/** An emulated device whose session drops on demand (as a real device restarting would). */
export class DroppableDriver implements Driver {
  readonly inner: EmulatedDriver;
  readonly #listeners = new Set<(reason: Error) => void>();

  constructor(config: DriverConnectConfig) {
    this.inner = new EmulatedDriver(config);
  }

  connect = () => this.inner.connect();
  disconnect = () => this.inner.disconnect();
  discoverEndpoints = () => this.inner.discoverEndpoints();
  getInitialConfig = () => this.inner.getInitialConfig();
  getConfig: Driver['getConfig'] = (keys) => this.inner.getConfig(keys);
  setConfig: Driver['setConfig'] = (r) => this.inner.setConfig(r);
  deleteConfig: Driver['deleteConfig'] = (r) => this.inner.deleteConfig(r);
  subscribeState: Driver['subscribeState'] = (s) => this.inner.subscribeState(s);
  unsubscribeState: Driver['unsubscribeState'] = (s) => this.inner.unsubscribeState(s);
  onSample = (sink: (sample: StateSample) => void) => this.inner.onSample(sink);

  onDisconnect(listener: (reason: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async drop(): Promise<void> {
    await this.inner.disconnect();
    for (const l of [...this.#listeners]) l(new Error('link down'));
  }
}

/** A factory (under DEVICEDRIVER_OPENCONFIG) that records the drivers it made. */
export function droppableFactory(): DriverFactory & { made: DroppableDriver[] } {
  const made: DroppableDriver[] = [];
  return {
    names: ['DEVICEDRIVER_OPENCONFIG'],
    usesNetwork: false,
    made,
    create(config) {
      const d = new DroppableDriver(config);
      made.push(d);
      return d;
    },
  };
}
