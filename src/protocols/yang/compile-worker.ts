/**
 * Worker thread entry: compiles the model sets a device announces (background.ts sends the requests)
 * so that the thread running the controller is never blocked by a compilation. The compiled schema
 * goes back by structured clone (plain objects, Maps, Sets and RegExps: it survives the copy whole).
 */
import { parentPort } from 'node:worker_threads';
import { type BackgroundReply, type BackgroundRequest, forTransfer } from './background.js';
import { type ModelSet, sharedModelRegistry } from './models.js';

parentPort?.on('message', (req: BackgroundRequest) => {
  let reply: BackgroundReply;
  try {
    const registry = sharedModelRegistry(req.searchDirs);
    const set: ModelSet = req.tops ? registry.schemaForTopNodes(req.announced, req.tops) : registry.schemaFor(req.announced);
    // The sets compiled here only travel (this thread validates nothing): what they need not carry goes.
    reply = { id: req.id, set: forTransfer(set) };
  } catch (e) {
    reply = { id: req.id, set: { missing: [], error: `compilation failed: ${(e as Error).message}` } };
  }
  parentPort?.postMessage(reply);
});
