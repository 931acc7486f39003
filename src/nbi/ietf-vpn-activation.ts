/**
 * Waiting for the service layer: it activates a stored service with two or more endpoints on
 * its own (from the service event), then writes ACTIVE, or PLANNED with its failure in the
 * `/cnsdn/failure` rule. The NBI answers once one of those is stored, or after a bound.
 */
import { CnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type * as T from '../model/types.js';
import { DEFAULT_CONTEXT } from '../model/types.js';
import { recordedFailure } from './ietf-restconf.js';
import { ruleValue } from './ietf-vpn-common.js';

const ACTIVE = 'SERVICESTATUS_ACTIVE';
const FAILURE_KEY = '/cnsdn/failure';
export const DEFAULT_ACTIVATION_TIMEOUT_MS = 30_000;

/** Endpoints a service needs before the service layer activates it. */
export const ACTIVATABLE_ENDPOINTS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The failure the service layer recorded, as the error the request answers with. */
function failureOf(service: T.Service): CnsdnError | undefined {
  const f = ruleValue(service, FAILURE_KEY);
  return f ? recordedFailure(f, `vpn-service ${service.name} was not activated`) : undefined;
}

/** Resolves when the service is ACTIVE; throws the recorded failure, or UNAVAILABLE after timeoutMs. */
export async function untilActive(ctx: ContextManager, vpnId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    const s = await ctx.getService(DEFAULT_CONTEXT, vpnId);
    if (s.service_status.service_status === ACTIVE) return;
    const failure = failureOf(s);
    if (failure) throw failure;
    if (Date.now() >= deadline) throw new CnsdnError('UNAVAILABLE', `vpn-service ${vpnId} is not active after ${timeoutMs} ms (it is ${s.service_status.service_status})`);
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 50);
  }
}
