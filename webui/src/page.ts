import type { Route } from './router.js';

/** Renders a page into main; may return a cleanup run when the page is left. */
// biome-ignore lint/suspicious/noConfusingVoidType: pages without a cleanup are async functions that return nothing (Promise<void>)
export type Page = (main: HTMLElement, route: Route) => Promise<(() => void) | undefined | void>;
