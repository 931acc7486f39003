/** Client-side routes under /webui (the server answers every such path with the shell). */

export const BASE = '/webui';

export interface Route {
  /** Path below /webui, e.g. "/devices/abc". */
  path: string;
  segments: string[];
  query: URLSearchParams;
}

type RouteListener = (route: Route) => void;
let listener: RouteListener = () => {};

export function currentRoute(): Route {
  let path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  if (path === '') path = '/';
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { path, segments, query: new URLSearchParams(location.search) };
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, '', url);
  else if (url !== location.pathname + location.search) history.pushState(null, '', url);
  listener(currentRoute());
}

/** Starts routing: back/forward and clicks on same-app links go through the listener. */
export function startRouter(onRoute: RouteListener): void {
  listener = onRoute;
  window.addEventListener('popstate', () => listener(currentRoute()));
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest('a');
    if (!a || a.target || !a.getAttribute('href')?.startsWith(`${BASE}/`)) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    navigate(url.pathname.slice(BASE.length) + url.search);
  });
  listener(currentRoute());
}
