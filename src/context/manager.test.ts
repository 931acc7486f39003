import { runContextSuite } from './manager.suite.js';

runContextSuite('SQLite', async () => 'sqlite::memory:');
