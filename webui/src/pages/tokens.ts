/** API tokens for scripts: create (the secret is shown once), list, revoke. Admins see everyone's. */
import { del, enc, get, post, type Role } from '../api.js';
import { field, formValue, h, replace, table } from '../dom.js';
import type { Page } from '../page.js';
import { state } from '../state.js';
import { errorBox, formatTime, readOnlyNote, onSubmit } from './common.js';

interface Token {
  id: string;
  name: string;
  role: Role;
  owner: string | null;
  createdAt: string;
}

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

/** The roles a caller may give a token: at most its own. */
function grantable(role: Role): Role[] {
  return ROLES.slice(0, ROLES.indexOf(role) + 1);
}

export const tokensPage: Page = async (main) => {
  const message = h('div', { class: 'message' });
  const secret = h('div', { id: 'token-secret' });
  const list = h('div', { id: 'tokens-list' });
  const role = state.session?.user.role ?? 'viewer';

  const draw = async () => {
    const { tokens } = await get<{ tokens: Token[] }>('/api/auth/tokens');
    replace(
      list,
      table(
        ['Name', 'Role', 'Owner', 'Created', ''],
        tokens.map((t) => [
          t.name,
          t.role,
          t.owner ?? '(admin token)',
          formatTime(t.createdAt),
          state.canWrite
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small danger',
                  title: `Revoke token ${t.name}`,
                  onclick: async () => {
                    if (!confirm(`Revoke token ${t.name}? Scripts using it stop working at once.`)) return;
                    try {
                      await del(`/api/auth/tokens/${enc(t.id)}`);
                      replace(secret);
                      await draw();
                    } catch (err) {
                      replace(message, errorBox(err));
                    }
                  },
                },
                'Revoke',
              )
            : '',
        ]),
        { id: 'tokens-table' },
      ),
    );
  };

  const form: HTMLFormElement = h(
    'form',
    {
      class: 'inline-form',
      id: 'add-token',
      onsubmit: onSubmit(message, async () => {
        const made = await post<{ id: string; token: string; name: string; role: Role }>('/api/auth/tokens', { name: formValue(form, 'name'), role: formValue(form, 'role') });
        form.reset();
        replace(
          secret,
          h(
            'div',
            { class: 'note', role: 'status' },
            h('p', null, `Token "${made.name}" (${made.role}) created. Copy it now: it is not shown again.`),
            h('pre', { class: 'json', id: 'new-token' }, made.token),
            h('p', { class: 'muted' }, 'Use it as: Authorization: Bearer <token>'),
          ),
        );
        await draw();
      }),
    },
    field('Name', h('input', { name: 'name', required: true, placeholder: 'ci-pipeline', autocomplete: 'off' })),
    field('Role', h('select', { name: 'role' }, grantable(role).map((r) => h('option', { value: r, selected: r === 'viewer' }, r)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create token')),
  );

  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', null, 'API tokens')),
    h('p', { class: 'muted' }, state.isAdmin ? 'Every API token; a token acts with its role, never above its owner’s.' : 'Your API tokens; a token acts with its role, never above yours.'),
    readOnlyNote(),
    message,
    secret,
    state.canWrite ? h('section', { class: 'card' }, h('h2', null, 'New token'), form) : null,
    list,
  );
  await draw();
};
