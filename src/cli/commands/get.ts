import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import { ApiError, type CnsdnClient, enc, type TfsObject } from '../client.js';
import { describeError, EXIT_FAILURE, EXIT_OK } from '../io.js';
import {
  at,
  contextTable,
  deviceTable,
  formatTable,
  linkTable,
  list,
  NameBook,
  serviceTable,
  sliceTable,
  str,
} from '../table.js';
import { type CommandContext, clientFor, printJson } from './shared.js';

const KINDS = ['devices', 'links', 'services', 'slices', 'contexts', 'topology'] as const;
type Kind = (typeof KINDS)[number];
const SINGULAR: Record<string, Kind> = {
  device: 'devices',
  link: 'links',
  service: 'services',
  slice: 'slices',
  context: 'contexts',
  topologies: 'topology',
};

interface GetOptions {
  output: 'table' | 'json';
  context: string;
  topology: string;
}

export function registerGet(program: Command, ctx: CommandContext): void {
  program
    .command('get')
    .description('show devices, links, services, slices, contexts or a topology')
    .addArgument(new Argument('<kind>', `what to show: ${KINDS.join(', ')}`).argParser(parseKind))
    .argument('[id]', 'one item by uuid or name (for topology: the topology, default --topology)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--context <name>', 'context of services, slices and topologies', 'admin')
    .option('--topology <name>', 'topology shown by `get topology`', 'admin')
    .action(async (kind: Kind, id: string | undefined, opts: GetOptions, cmd: Command) => {
      const client = clientFor(cmd, ctx.io);
      ctx.exitCode = id !== undefined && kind !== 'topology' ? await getOne(client, kind, id, opts, ctx) : await getAll(client, kind, id, opts, ctx);
    });
}

function parseKind(value: string): Kind {
  const kind = (KINDS as readonly string[]).includes(value) ? (value as Kind) : SINGULAR[value];
  if (!kind) {
    throw new InvalidArgumentError(`use one of ${KINDS.join(', ')}`);
  }
  return kind;
}

async function getAll(client: CnsdnClient, kind: Kind, topologyId: string | undefined, opts: GetOptions, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const json = opts.output === 'json';
  switch (kind) {
    case 'devices': {
      const devices = await client.listDevices();
      io.stdout.write(json ? jsonText({ devices }) : deviceTable(devices));
      break;
    }
    case 'contexts': {
      const contexts = await client.listContexts();
      io.stdout.write(json ? jsonText({ contexts }) : contextTable(contexts));
      break;
    }
    case 'links':
    case 'services':
    case 'slices': {
      const items =
        kind === 'links'
          ? await client.listLinks()
          : kind === 'services'
            ? await client.listServices(opts.context)
            : await client.listSlices(opts.context);
      if (json) {
        io.stdout.write(jsonText({ [kind]: items }));
        break;
      }
      const names = new NameBook(items.length > 0 ? await client.listDevices() : []);
      io.stdout.write(tableOf(kind, items, names));
      break;
    }
    case 'topology': {
      const topology = topologyId ?? opts.topology;
      let details: { devices: TfsObject[]; links: TfsObject[] };
      try {
        details = await client.topologyDetails(opts.context, topology);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          io.stderr.write(`topology ${opts.context}/${topology} not found\n`);
          return EXIT_FAILURE;
        }
        throw e;
      }
      if (json) {
        io.stdout.write(jsonText(details));
        break;
      }
      io.stdout.write(`DEVICES (${details.devices.length})\n${deviceTable(details.devices)}\n`);
      io.stdout.write(`LINKS (${details.links.length})\n${linkTable(details.links, new NameBook(details.devices))}`);
      break;
    }
  }
  return EXIT_OK;
}

function tableOf(kind: 'links' | 'services' | 'slices', items: TfsObject[], names: NameBook): string {
  if (kind === 'links') return linkTable(items, names);
  if (kind === 'services') return serviceTable(items, names);
  return sliceTable(items, names);
}

const ITEM: Record<Exclude<Kind, 'topology'>, { noun: string; path: (id: string, o: GetOptions) => string }> = {
  devices: { noun: 'device', path: (id) => `/tfs-api/device/${enc(id)}` },
  links: { noun: 'link', path: (id) => `/tfs-api/link/${enc(id)}` },
  services: { noun: 'service', path: (id, o) => `/tfs-api/context/${enc(o.context)}/service/${enc(id)}` },
  slices: { noun: 'slice', path: (id, o) => `/tfs-api/context/${enc(o.context)}/slice/${enc(id)}` },
  contexts: { noun: 'context', path: (id) => `/tfs-api/context/${enc(id)}` },
};

async function getOne(client: CnsdnClient, kind: Exclude<Kind, 'topology'>, id: string, opts: GetOptions, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const item = ITEM[kind];
  let obj: TfsObject;
  try {
    obj = await client.get<TfsObject>(item.path(id, opts));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      io.stderr.write(`${describeError(e, `${item.noun} ${JSON.stringify(id)}`)}\n`);
      return EXIT_FAILURE;
    }
    throw e;
  }
  if (opts.output === 'json') {
    printJson(io, obj);
    return EXIT_OK;
  }
  switch (kind) {
    case 'devices': {
      io.stdout.write(deviceTable([obj]));
      const endpoints = list(at(obj, 'device_endpoints'));
      if (endpoints.length > 0) {
        const rows = endpoints.map((ep) => [
          str(at(ep, 'name')),
          str(at(ep, 'endpoint_id', 'endpoint_uuid', 'uuid')),
          str(at(ep, 'endpoint_type')),
        ]);
        io.stdout.write(`\nENDPOINTS\n${formatTable(['NAME', 'UUID', 'TYPE'], rows)}`);
      }
      break;
    }
    case 'contexts':
      io.stdout.write(contextTable([obj]));
      break;
    default: {
      const hasEndpoints = kind !== 'links' || list(at(obj, 'link_endpoint_ids')).length > 0;
      const names = new NameBook(hasEndpoints ? await client.listDevices() : []);
      io.stdout.write(tableOf(kind, [obj], names));
    }
  }
  return EXIT_OK;
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
