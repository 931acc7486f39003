/** The dashboard: session check, the frame (header, navigation), and the page of the route. */
import './style.css';
import { ApiError, currentSession, onSessionLost, setupRequired } from './api.js';
import { h, replace } from './dom.js';
import { renderHeader } from './header.js';
import type { Page } from './page.js';
import { auditPage } from './pages/audit.js';
import { deviceDetailPage, devicesPage } from './pages/devices.js';
import { eventsPage } from './pages/events.js';
import { linkDetailPage, linksPage } from './pages/links.js';
import { loginPage, setupPage } from './pages/login.js';
import { newServicePage, serviceDetailPage, servicesPage } from './pages/services.js';
import { sliceDetailPage, slicesPage } from './pages/slices.js';
import { telemetryPage } from './pages/telemetry.js';
import { tokensPage } from './pages/tokens.js';
import { topologyPage } from './pages/topology.js';
import { uploadPage } from './pages/upload.js';
import { deviceYangPage } from './pages/yang.js';
import { currentRoute, navigate, type Route, startRouter } from './router.js';
import { state } from './state.js';

const NAV: [string, string, (() => boolean)?][] = [
  ['/', 'Topology'],
  ['/devices', 'Devices'],
  ['/links', 'Links'],
  ['/services', 'Services'],
  ['/slices', 'Slices'],
  ['/upload', 'Upload', () => state.canWrite],
  ['/events', 'Events'],
  ['/telemetry', 'Telemetry'],
  ['/tokens', 'API tokens', () => state.session?.via !== 'open'],
  ['/audit', 'Audit', () => state.isAdmin],
];

function pageFor(route: Route): Page {
  const [first, second, third] = route.segments;
  switch (first) {
    case undefined:
      return topologyPage;
    case 'devices':
      if (second && third === 'yang') return deviceYangPage(second);
      return second ? deviceDetailPage(second) : devicesPage;
    case 'links':
      return second ? linkDetailPage(second) : linksPage;
    case 'services':
      if (second === 'new') return newServicePage;
      return second ? serviceDetailPage(second) : servicesPage;
    case 'slices':
      return second ? sliceDetailPage(second) : slicesPage;
    case 'upload':
      return uploadPage;
    case 'events':
      return eventsPage;
    case 'telemetry':
      return telemetryPage;
    case 'tokens':
      return tokensPage;
    case 'audit':
      return auditPage;
    default:
      return async (main) => {
        replace(main, h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, route.path)));
      };
  }
}

const app = document.getElementById('app')!;
let cleanup: (() => void) | undefined;
let renderSeq = 0;

function frame(): { main: HTMLElement; nav: HTMLElement } {
  const nav = h('nav', { class: 'side', aria: { label: 'Sections' } });
  const main = h('main', { id: 'main', class: 'main' });
  replace(app, h('div', { class: 'layout' }, renderHeader(() => render(currentRoute())), nav, main));
  return { main, nav };
}

let shell: { main: HTMLElement; nav: HTMLElement } | undefined;

function renderNav(nav: HTMLElement, route: Route): void {
  const active = `/${route.segments[0] ?? ''}`;
  replace(
    nav,
    NAV.filter(([, , visible]) => !visible || visible()).map(([path, title]) =>
      h('a', { href: `/webui${path}`, class: path === active ? 'active' : '', data: { nav: title.toLowerCase() } }, title),
    ),
  );
}

async function render(route: Route): Promise<void> {
  const seq = ++renderSeq;
  cleanup?.();
  cleanup = undefined;
  if (route.segments[0] === 'login' || route.segments[0] === 'setup') {
    shell = undefined;
    const page = route.segments[0] === 'setup' ? setupPage : loginPage;
    await page(app, route, () => void boot());
    return;
  }
  if (!state.session) {
    await boot();
    return;
  }
  shell ??= frame();
  renderNav(shell.nav, route);
  const main = shell.main;
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    const done = await pageFor(route)(main, route);
    if (seq !== renderSeq) done?.();
    else cleanup = done ?? undefined;
  } catch (err) {
    if (seq !== renderSeq) return;
    if (err instanceof ApiError && err.status === 401) return;
    replace(main, h('h1', null, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
}

/** Finds out who we are: a session, a first-run setup, or the login page. */
async function boot(): Promise<void> {
  let session = null;
  try {
    session = await currentSession();
  } catch (err) {
    replace(
      app,
      h(
        'div',
        { class: 'center' },
        h('h1', null, 'cnsdn'),
        h('p', { class: 'error', role: 'alert' }, (err as Error).message),
        h('button', { type: 'button', onclick: () => void boot() }, 'Try again'),
      ),
    );
    return;
  }
  const route = currentRoute();
  if (!session) {
    state.session = null;
    state.stopEvents();
    const next = route.segments[0] === 'login' || route.segments[0] === 'setup' ? '' : route.path;
    navigate((await setupRequired()) ? '/setup' : `/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, true);
    return;
  }
  state.session = session;
  state.startEvents();
  shell = undefined;
  if (route.segments[0] === 'login' || route.segments[0] === 'setup') navigate(route.query.get('next') ?? '/', true);
  else await render(route);
}

onSessionLost(() => {
  if (!state.session) return;
  state.session = null;
  state.stopEvents();
  shell = undefined;
  void boot();
});

startRouter((route) => {
  void render(route);
});
