import type { Command } from 'commander';
import { compileModules } from '../../protocols/yang/compiler.js';
import { YangError } from '../../protocols/yang/errors.js';
import { ModuleLoader } from '../../protocols/yang/loader.js';
import { printTree } from '../../protocols/yang/tree.js';
import { EXIT_FAILURE, EXIT_OK, ReportedFailure } from '../io.js';
import type { CommandContext } from './shared.js';
import { collect, featureSet, registerYangData } from './yang-data.js';

export function registerYang(program: Command, ctx: CommandContext): void {
  const yang = program.command('yang').description('YANG modules: compile and show them');
  yang
    .command('tree')
    .description('print RFC 8340 tree diagrams of YANG modules (as yanglint -f tree)')
    .argument('<modules...>', 'module files (.yang)')
    .option('-p, --search-dir <dir>', 'search directory for imports (searched recursively; repeatable)', collect, [])
    .option('-F, --features <module:f1,f2>', 'enable only these features of a module (repeatable; default all)', collect, [])
    .option('-i, --make-implemented', 'accepted for yanglint compatibility: imported modules are always usable')
    .option('--implement-given', 'implement only the given modules (and the targets of their augments)')
    .option('--path <schema-path>', 'print only this subtree (/module:node/node...)')
    .action((files: string[], opts: { searchDir: string[]; features: string[]; implementGiven?: boolean; path?: string }) => {
      try {
        const loader = new ModuleLoader(opts.searchDir);
        const schema = compileModules(
          loader,
          files.map((file) => ({ file })),
          { features: featureSet(opts.features), implement: opts.implementGiven ? 'given' : 'all' },
        );
        const names = files.map((f) => loader.parseFile(f).name);
        ctx.io.stdout.write(printTree(schema, names, { path: opts.path }));
        ctx.exitCode = EXIT_OK;
      } catch (e) {
        if (!(e instanceof YangError)) throw e;
        ctx.io.stderr.write(`error: ${e.message}\n`);
        throw new ReportedFailure(EXIT_FAILURE);
      }
    });
  registerYangData(yang, ctx);
}
