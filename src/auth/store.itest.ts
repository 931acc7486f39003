import { describePostgres } from '../store/pg-testing.js';
import { openStore } from '../store/index.js';
import { runAuthStoreContract } from './store.contract.js';

await describePostgres('auth store on postgres', async (freshDatabase) => {
  runAuthStoreContract('postgres', async () => openStore({ url: await freshDatabase() }));
});
