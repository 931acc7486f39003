/** What the whole dashboard shares: the session, the selected context and topology, live events. */
import type { Session } from './api.js';

export interface BusEvent {
  kind: string;
  uuid: string;
  name?: string;
  parent?: string | null;
  op: string;
  revision?: number;
  ts: number;
  seq: number;
}

type Listener = (e: BusEvent) => void;

const STORAGE_KEY = 'cnsdn.selection';

class AppState {
  session: Session | null = null;
  /** Context and topology uuids (or names) chosen in the header. */
  context = 'admin';
  topology = 'admin';
  /** The newest events first, bounded. */
  readonly events: BusEvent[] = [];
  readonly maxEvents = 500;
  streamState: 'connecting' | 'live' | 'down' = 'connecting';
  private readonly listeners = new Set<Listener>();
  private readonly streamListeners = new Set<() => void>();
  private source: EventSource | undefined;
  private readonly resyncListeners = new Set<() => void>();
  private wanted = false;
  private dropped = false;
  private retry: number | undefined;

  constructor() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as { context?: string; topology?: string };
      if (typeof saved.context === 'string') this.context = saved.context;
      if (typeof saved.topology === 'string') this.topology = saved.topology;
    } catch {
      // nothing saved
    }
  }

  get canWrite(): boolean {
    return this.session !== null && this.session.user.role !== 'viewer';
  }

  get isAdmin(): boolean {
    return this.session?.user.role === 'admin';
  }

  select(context: string, topology: string): void {
    this.context = context;
    this.topology = topology;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ context, topology }));
  }

  /** Listens to bus events while the returned function is not called. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStreamState(listener: () => void): () => void {
    this.streamListeners.add(listener);
    return () => this.streamListeners.delete(listener);
  }

  private setStreamState(s: AppState['streamState']): void {
    this.streamState = s;
    for (const l of this.streamListeners) l();
  }

  /**
   * Opens the event stream. After a drop it opens a fresh one rather than letting EventSource
   * resume with Last-Event-ID: a restarted single-process controller numbers its events from 1
   * again, and resuming would skip them. Pages reload what they show when it comes back.
   */
  startEvents(): void {
    if (this.source) return;
    this.wanted = true;
    const source = new EventSource('/api/events', { withCredentials: true });
    this.source = source;
    this.setStreamState('connecting');
    source.onopen = () => {
      this.setStreamState('live');
      if (this.dropped) {
        this.dropped = false;
        for (const l of this.resyncListeners) l();
      }
    };
    source.onerror = () => {
      source.close();
      if (this.source !== source) return;
      this.source = undefined;
      this.dropped = true;
      this.setStreamState('connecting');
      this.retry = window.setTimeout(() => {
        if (this.wanted) this.startEvents();
      }, 2000);
    };
    const handle = (msg: MessageEvent<string>) => {
      let e: BusEvent;
      try {
        e = JSON.parse(msg.data) as BusEvent;
      } catch {
        return;
      }
      this.events.unshift(e);
      if (this.events.length > this.maxEvents) this.events.length = this.maxEvents;
      for (const l of this.listeners) l(e);
    };
    for (const kind of ['context', 'topology', 'device', 'link', 'service', 'slice', 'connection']) source.addEventListener(kind, handle);
  }

  /** Called when the event stream is back after a drop: events may have been missed. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  stopEvents(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    this.source?.close();
    this.source = undefined;
    this.events.length = 0;
    this.setStreamState('down');
  }
}

export const state = new AppState();
