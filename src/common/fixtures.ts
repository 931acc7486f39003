/** Where the shared TFS descriptor fixtures are: $CNSDN_SHARED_DIR, else `shared/` beside the repository. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// src/common/ when run through tsx, dist/src/common/ when compiled: both lead to the repository root.
const here = new URL('../../', import.meta.url).pathname;
const repoRoot = /\/dist\/?$/.test(here) ? join(here, '..') : here;

export const SHARED_DIR = process.env.CNSDN_SHARED_DIR ?? join(repoRoot, '..', 'shared');
export const TFS_FIXTURES = join(SHARED_DIR, 'fixtures', 'tfs-descriptors');
/** A skip reason for tests that need the fixtures, or false when they are present. */
export const fixturesMissing: string | false = existsSync(TFS_FIXTURES) ? false : `shared fixtures not present at ${TFS_FIXTURES}`;
