/** Logging in, and the first-run setup of the first admin with the one-time setup token. */
import { ApiError, login, setup } from '../api.js';
import { field, formValue, h, replace } from '../dom.js';
import type { Route } from '../router.js';
import { errorBox } from './common.js';

function loginMessage(err: unknown): HTMLElement {
  if (err instanceof ApiError && err.code.endsWith('INVALID_CREDENTIALS')) return errorBox(new Error('Wrong username or password.'));
  if (err instanceof ApiError && (err.code.endsWith('LOGIN_THROTTLED') || err.status === 429)) return errorBox(new Error('Too many attempts: wait a moment, then try again.'));
  return errorBox(err);
}

export async function loginPage(app: HTMLElement, _route: Route, done: () => void): Promise<void> {
  const message = h('div', { class: 'message' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, 'Log in');
  const form = h(
    'form',
    {
      class: 'card login',
      id: 'login-form',
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        replace(message);
        try {
          await login(formValue(form, 'username'), (form.elements.namedItem('password') as HTMLInputElement).value);
          done();
        } catch (err) {
          replace(message, loginMessage(err));
          submit.disabled = false;
        }
      },
    },
    h('h1', null, 'cnsdn'),
    h('p', { class: 'muted' }, 'Log in to the controller dashboard.'),
    field('Username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    message,
    submit,
  );
  replace(app, h('div', { class: 'center' }, form));
  (form.elements.namedItem('username') as HTMLInputElement).focus();
}

export async function setupPage(app: HTMLElement, _route: Route, done: () => void): Promise<void> {
  const message = h('div', { class: 'message' });
  const form = h(
    'form',
    {
      class: 'card login',
      id: 'setup-form',
      onsubmit: async (e) => {
        e.preventDefault();
        replace(message);
        const password = (form.elements.namedItem('password') as HTMLInputElement).value;
        if (password !== (form.elements.namedItem('password2') as HTMLInputElement).value) {
          replace(message, errorBox(new Error('The passwords differ.')));
          return;
        }
        try {
          const username = formValue(form, 'username');
          await setup(formValue(form, 'token'), username, password);
          await login(username, password);
          done();
        } catch (err) {
          replace(message, errorBox(err));
        }
      },
    },
    h('h1', null, 'Set up cnsdn'),
    h('p', { class: 'muted' }, 'Create the first administrator. The one-time setup token was printed in the controller log at its first start.'),
    field('Setup token', h('input', { name: 'token', autocomplete: 'off', required: true })),
    field('Admin username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true })),
    field('Repeat password', h('input', { name: 'password2', type: 'password', autocomplete: 'new-password', required: true })),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Create admin'),
  );
  replace(app, h('div', { class: 'center' }, form));
}
