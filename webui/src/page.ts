import type { Route } from './router.js';

/** Renders a page into main; may return a cleanup run when the page is left. */
export type Page = (main: HTMLElement, route: Route) => Promise<(() => void) | undefined | void>;
