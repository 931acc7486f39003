import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT_OK } from '../io.js';
import { type CommandContext, clientFor, printJson } from './shared.js';

export function registerExport(program: Command, ctx: CommandContext): void {
  program
    .command('export')
    .description('export everything the controller holds as one TFS descriptor document')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (opts: { output?: string }, cmd: Command) => {
      const doc = await clientFor(cmd, ctx.io).exportDescriptors();
      if (opts.output) {
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        await writeFile(opts.output, text, 'utf8');
        ctx.io.stderr.write(`wrote ${opts.output} (${Buffer.byteLength(text)} bytes)\n`);
      } else {
        printJson(ctx.io, doc);
      }
      ctx.exitCode = EXIT_OK;
    });
}
