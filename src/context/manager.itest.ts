import { describePostgres } from '../store/pg-testing.js';
import { runContextSuite } from './manager.suite.js';

await describePostgres('ContextManager on PostgreSQL', (freshDatabase) => runContextSuite('PostgreSQL', freshDatabase));
