/**
 * Worker thread entry: compiles the model sets a device announces (background.ts sends the requests)
 * so that the thread running the controller is never blocked by a compilation. The compiled schema
 * goes back by structured clone (plain objects, Maps, Sets and RegExps: what validation needs
 * survives the copy; see forTransfer).
 */
import { parentPort } from 'node:worker_threads';
import { type BackgroundReply, type BackgroundRequest, compileJob, forTransfer } from './background.js';

parentPort?.on('message', (req: BackgroundRequest) => {
  // The sets compiled here only travel (this thread validates nothing): what they need not carry goes.
  const reply: BackgroundReply = { id: req.id, set: forTransfer(compileJob(req)) };
  parentPort?.postMessage(reply);
});
