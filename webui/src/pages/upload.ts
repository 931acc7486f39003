/** Descriptor upload: a dry run first (per-entity report), then apply; progress while sending. */
import { ApiError, writeHeaders } from '../api.js';
import { field, h, replace, table } from '../dom.js';
import type { Page } from '../page.js';
import { state } from '../state.js';
import { errorBox, readOnlyNote, section } from './common.js';

interface EntityResult {
  kind: string;
  uuid: string;
  name?: string;
  action: string;
}
interface ImportResult {
  dry_run: boolean;
  summary: Record<string, number>;
  entities: EntityResult[];
}

/** POSTs the descriptor text with upload progress (fetch reports none). */
function send(text: string, dryRun: boolean, onProgress: (sent: number, total: number) => void): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/tfs-api/descriptors${dryRun ? '?dry_run=true' : ''}`);
    for (const [k, v] of Object.entries(writeHeaders(true))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : text.length);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'Cannot reach the controller'));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as ImportResult);
      else {
        const errors = Array.isArray(body.errors) ? (body.errors as { path: string; message: string }[]) : [];
        reject(new ApiError(xhr.status, String(body.code ?? `HTTP_${xhr.status}`), String(body.detail ?? body.title ?? xhr.statusText), errors));
      }
    };
    xhr.send(text);
  });
}

const ACTION_ORDER = ['created', 'updated', 'unchanged', 'removed'];

function report(r: ImportResult): HTMLElement {
  const summary = Object.entries(r.summary)
    .sort(([a], [b]) => ACTION_ORDER.indexOf(a) - ACTION_ORDER.indexOf(b))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const byKind = new Map<string, number>();
  for (const e of r.entities) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  return section(
    r.dry_run ? 'Dry run: nothing was written' : 'Applied',
    h('p', { class: 'summary', data: { testid: r.dry_run ? 'dry-run-summary' : 'apply-summary' } }, summary || 'nothing to do', ' — ', [...byKind].map(([k, n]) => `${n} ${k}`).join(', ')),
    table(
      ['Kind', 'Name', 'Result'],
      r.entities.slice(0, 2000).map((e) => [e.kind, e.name || e.uuid, h('span', { class: `action ${e.action}` }, e.action)]),
      { id: r.dry_run ? 'dry-run-table' : 'apply-table' },
    ),
    r.entities.length > 2000 ? h('p', { class: 'muted' }, `… and ${r.entities.length - 2000} more`) : null,
  );
}

export const uploadPage: Page = async (main) => {
  if (!state.canWrite) {
    replace(main, h('h1', null, 'Upload a descriptor'), readOnlyNote());
    return;
  }
  const fileInput = h('input', { type: 'file', name: 'file', accept: '.json,application/json', id: 'descriptor-file' });
  const textArea = h('textarea', { name: 'text', rows: 8, placeholder: '{"devices": [...], "links": [...]}', id: 'descriptor-text' });
  const progress = h('progress', { max: 100, hidden: true, id: 'upload-progress' });
  const status = h('span', { class: 'muted', id: 'upload-status' });
  const message = h('div', { class: 'message' });
  const results = h('div', { id: 'upload-results' });
  const dryRunButton = h('button', { type: 'button', class: 'primary', id: 'dry-run' }, 'Dry run');
  const applyButton = h('button', { type: 'button', id: 'apply', disabled: true }, 'Apply');
  let checked: string | undefined;

  const readText = async (): Promise<string> => {
    const f = fileInput.files?.[0];
    return f ? await f.text() : textArea.value;
  };

  const run = async (dryRun: boolean) => {
    replace(message);
    const text = dryRun ? await readText() : checked;
    if (!text || text.trim() === '') {
      replace(message, errorBox(new Error('Choose a descriptor file or paste one.')));
      return;
    }
    try {
      JSON.parse(text);
    } catch (err) {
      replace(message, errorBox(new Error(`Not JSON: ${(err as Error).message}`)));
      return;
    }
    dryRunButton.disabled = applyButton.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = dryRun ? 'Sending for a dry run…' : 'Applying…';
    try {
      const r = await send(text, dryRun, (sent, total) => {
        progress.value = total > 0 ? Math.round((sent / total) * 100) : 0;
        if (sent >= total) status.textContent = `Sent ${(total / 1024).toFixed(0)} KiB; the controller is checking every entity…`;
      });
      progress.value = 100;
      status.textContent = '';
      replace(results, report(r));
      if (dryRun) {
        checked = text;
        applyButton.disabled = false;
      } else checked = undefined;
    } catch (err) {
      status.textContent = '';
      checked = undefined;
      replace(message, errorBox(err));
    } finally {
      dryRunButton.disabled = false;
      progress.hidden = true;
    }
  };
  const invalidate = () => {
    checked = undefined;
    applyButton.disabled = true;
  };
  fileInput.addEventListener('change', invalidate);
  textArea.addEventListener('input', invalidate);
  dryRunButton.addEventListener('click', () => void run(true));
  applyButton.addEventListener('click', () => void run(false));

  replace(
    main,
    h('h1', null, 'Upload a descriptor'),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'muted' }, 'A TFS descriptor (contexts, topologies, devices, links, services, slices) is imported all or nothing. The dry run reports what each entity would become; Apply writes exactly what was checked.'),
      field('Descriptor file', fileInput),
      field('…or paste JSON', textArea),
      h('div', { class: 'actions' }, dryRunButton, applyButton, progress, status),
      message,
    ),
    results,
  );
};
