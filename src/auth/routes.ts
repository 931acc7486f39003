/** /api/auth/* (login, logout, me, status, setup, password, tokens, routes), /api/users and /api/audit. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import { clearSessionCookie, type RouteRole, setSessionCookie } from './hook.js';
import { assertRole, ROLES } from './principal.js';
import type { AuthService } from './service.js';

const SMALL_BODY = 16 * 1024;
const problem = { $ref: 'Problem#' };
const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const UserRef = Type.Object({ username: Type.String(), role: RoleSchema });
const UserSchema = Type.Object({
  username: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  owner: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }), password: Password }, { additionalProperties: false });
const Setup = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 256 }), username: Type.String({ minLength: 1, maxLength: 128 }), password: Password },
  { additionalProperties: false },
);
const PasswordChange = Type.Object({ current: Password, next: Password }, { additionalProperties: false });
const NewUser = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Password, role: RoleSchema },
  { additionalProperties: false },
);
const UserPatch = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(Password), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
const NewToken = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema }, { additionalProperties: false });
const AuditQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ maxLength: 128 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  principal: Type.String(),
  via: Type.String(),
  method: Type.String(),
  path: Type.String(),
  action: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  clientIp: Type.String(),
  status: Type.Integer(),
  code: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.String(),
});

/** Adds Retry-After to a throttled login before the error leaves. */
async function withRetryAfter<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (err instanceof CnsdnError && err.code === 'LOGIN_THROTTLED' && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    throw err;
  }
}

function callerName(request: FastifyRequest): string {
  const p = assertRole(request.principal, 'viewer');
  return p.username ?? (p.via === 'open' ? 'open' : 'admin-token');
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) {
    throw new CnsdnError('VALIDATION_FAILED', 'cursor is not one this server issued', [{ path: '/cursor', message: 'is not valid' }]);
  }
  return { at, id };
}

export function authRoutes(auth: AuthService, routeRoles: () => readonly RouteRole[]) {
  return async (app: FastifyInstance): Promise<void> => {
    const tags = ['auth'];

    app.get(
      '/api/auth/status',
      { config: { public: true }, schema: { tags, summary: 'Whether the first admin still has to be created', response: { 200: Type.Object({ setupRequired: Type.Boolean(), auth: Type.String() }) } } },
      async () => ({ setupRequired: await auth.setupRequired(), auth: auth.mode }),
    );

    app.post<{ Body: Static<typeof Login> }>(
      '/api/auth/login',
      {
        config: { public: true },
        bodyLimit: SMALL_BODY,
        schema: { tags, summary: 'Log in: sets the session cookie', body: Login, response: { 200: Type.Object({ user: UserRef, csrfToken: Type.String() }), 401: problem, 429: problem } },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        request.auditNote = { action: 'login', target: { username } };
        const r = await withRetryAfter(reply, () => auth.login(username, password, request.ip));
        request.auditNote = { action: 'login', target: { username }, principal: r.user.username };
        setSessionCookie(auth, request, reply, r.claims);
        return { user: r.user, csrfToken: auth.keyring.csrfToken(r.claims.sid) };
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { role: 'viewer' }, bodyLimit: SMALL_BODY, schema: { tags, summary: 'Log out: ends the session on every replica and clears the cookie', response: { 204: Type.Null(), 401: problem, 403: problem } } },
      async (request, reply) => {
        request.auditNote = { action: 'logout' };
        if (request.session) await auth.logout(request.session);
        clearSessionCookie(request, reply);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/auth/me',
      { schema: { tags, summary: 'Who the caller is, and the CSRF token of their session', response: { 200: Type.Object({ user: UserRef, csrfToken: Type.String(), via: Type.String() }), 401: problem } } },
      async (request) => {
        const p = assertRole(request.principal, 'viewer');
        const csrfToken = p.via === 'session' && p.sessionId ? auth.keyring.csrfToken(p.sessionId) : '';
        return { user: { username: callerName(request), role: p.role }, csrfToken, via: p.via };
      },
    );

    app.post<{ Body: Static<typeof Setup> }>(
      '/api/auth/setup',
      {
        config: { public: true },
        bodyLimit: SMALL_BODY,
        schema: { tags, summary: 'Create the first admin with the one-time setup token', body: Setup, response: { 201: Type.Object({ user: UserRef }), 400: problem, 401: problem, 409: problem, 429: problem } },
      },
      async (request, reply) => {
        const { token, username, password } = request.body;
        request.auditNote = { action: 'setup', target: { username } };
        const user = await withRetryAfter(reply, () => auth.setup(token, username, password, request.ip));
        request.auditNote = { action: 'setup', target: { username }, principal: user.username };
        return reply.code(201).send({ user: { username: user.username, role: user.role } });
      },
    );

    app.post<{ Body: Static<typeof PasswordChange> }>(
      '/api/auth/password',
      { config: { role: 'viewer' }, bodyLimit: SMALL_BODY, schema: { tags, summary: 'Change your own password (ends your other sessions)', body: PasswordChange, response: { 204: Type.Null(), 400: problem, 401: problem } } },
      async (request, reply) => {
        const p = assertRole(request.principal, 'viewer');
        if (p.username === undefined) throw new CnsdnError('INVALID_ARGUMENT', 'Only a user has a password: log in as one');
        request.auditNote = { action: 'password.change', target: { username: p.username } };
        const since = await withRetryAfter(reply, () => auth.changePassword(p.username!, request.body.current, request.body.next));
        // This session carries on (re-issued after the change); every other one ends.
        if (request.session) setSessionCookie(auth, request, reply, { ...request.session, iat: since, seen: since });
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/auth/tokens',
      { schema: { tags, summary: 'API tokens (yours; an admin sees all). Never their secrets.', response: { 200: Type.Object({ tokens: Type.Array(TokenSchema) }) } } },
      async (request) => ({ tokens: await auth.listTokens(assertRole(request.principal, 'viewer')) }),
    );

    app.post<{ Body: Static<typeof NewToken> }>(
      '/api/auth/tokens',
      {
        bodyLimit: SMALL_BODY,
        schema: {
          tags,
          summary: 'Create an API token for scripts (role at most yours); the token is shown once',
          body: NewToken,
          response: { 201: Type.Object({ id: Type.String(), token: Type.String(), name: Type.String(), role: RoleSchema }), 403: problem },
        },
      },
      async (request, reply) => {
        const { record, token } = await auth.createToken(assertRole(request.principal, 'operator'), request.body.name, request.body.role);
        request.auditNote = { action: 'token.create', target: { token: record.id } };
        return reply.code(201).send({ id: record.id, token, name: record.name, role: record.role });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/auth/tokens/:id',
      { schema: { tags, summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), 404: problem } } },
      async (request, reply) => {
        request.auditNote = { action: 'token.revoke' };
        await auth.revokeToken(assertRole(request.principal, 'operator'), request.params.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/auth/routes',
      { config: { role: 'admin' }, schema: { tags, summary: 'Every protected route and the least role it needs' } },
      async () => ({ routes: routeRoles() }),
    );

    const admin = { role: 'admin' as const };
    app.get(
      '/api/users',
      { config: admin, schema: { tags: ['users'], summary: 'Users', response: { 200: Type.Object({ users: Type.Array(UserSchema) }) } } },
      async () => ({ users: await auth.listUsers() }),
    );

    app.post<{ Body: Static<typeof NewUser> }>(
      '/api/users',
      { config: admin, bodyLimit: SMALL_BODY, schema: { tags: ['users'], summary: 'Create a user', body: NewUser, response: { 201: Type.Object({ user: UserSchema }), 400: problem, 409: problem } } },
      async (request, reply) => {
        const { username, password, role } = request.body;
        request.auditNote = { action: 'user.create', target: { username } };
        return reply.code(201).send({ user: await auth.createUser(username, password, role) });
      },
    );

    app.patch<{ Params: { username: string }; Body: Static<typeof UserPatch> }>(
      '/api/users/:username',
      { config: admin, bodyLimit: SMALL_BODY, schema: { tags: ['users'], summary: 'Change a user: role, password, disabled', body: UserPatch, response: { 200: Type.Object({ user: UserSchema }), 404: problem, 409: problem } } },
      async (request) => {
        request.auditNote = { action: 'user.update', target: { username: request.params.username } };
        return { user: await auth.updateUser(request.params.username, request.body) };
      },
    );

    app.delete<{ Params: { username: string } }>(
      '/api/users/:username',
      { config: admin, schema: { tags: ['users'], summary: 'Delete a user and their API tokens', response: { 204: Type.Null(), 404: problem, 409: problem } } },
      async (request, reply) => {
        request.auditNote = { action: 'user.delete', target: { username: request.params.username } };
        await auth.deleteUser(request.params.username);
        return reply.code(204).send();
      },
    );

    app.get<{ Querystring: Static<typeof AuditQuery> }>(
      '/api/audit',
      {
        config: admin,
        schema: {
          tags: ['audit'],
          summary: 'The audit log, newest first; pass `next` back as cursor for the following page',
          querystring: AuditQuery,
          response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema), next: Type.Optional(Type.String()) }) },
        },
      },
      async (request) => {
        const q = request.query;
        const limit = q.limit ?? 100;
        await auth.audit.flush();
        const entries = await auth.store.queryAudit({
          limit,
          ...(q.user !== undefined ? { principal: q.user } : {}),
          ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
          ...(q.until !== undefined ? { until: new Date(q.until).toISOString() } : {}),
          ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
          ...(q.cursor !== undefined ? { before: decodeCursor(q.cursor) } : {}),
        });
        const last = entries[entries.length - 1];
        return { entries, ...(entries.length === limit && last ? { next: encodeCursor(last.at, last.id) } : {}) };
      },
    );
  };
}
