/** Child process for the cross-process SQLite test: increments a counter entity N times, one transaction each. */
import { openStore } from './index.js';

const [url, uuid, times, startAt] = process.argv.slice(2);
const store = await openStore({ url });
// Both children start together, whatever their start-up times.
await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
try {
  for (let i = 0; i < Number(times); i++) {
    await store.transaction(async (tx) => {
      const cur = await tx.get<{ n: number }>('context', uuid);
      // Hold the transaction open across a timer so the other process really has to wait for it.
      await new Promise((resolve) => setTimeout(resolve, 2));
      await tx.put({ kind: 'context', uuid, parent: null, name: uuid, body: { n: (cur?.body.n ?? 0) + 1 } });
    });
  }
} finally {
  await store.close();
}
