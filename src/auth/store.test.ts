import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStore } from '../store/index.js';
import { runAuthStoreContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cnsdn-auth-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runAuthStoreContract('sqlite', () => openStore({ url: `sqlite:${join(dir, `auth-${n++}.db`)}` }));
