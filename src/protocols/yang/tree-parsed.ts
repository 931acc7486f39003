/**
 * Augment sections of a tree diagram, printed from the augment's statements as yanglint 2.1.30 does:
 * groupings stay `-u` lines, config comes from explicit statements only, and a shorthand case takes
 * the marker of the node it wraps and is aligned with the choice's other children.
 */
import { type Stmt, sub, subArg, subsOf } from './parser.js';
import { alignWidth, type Line, render, typeLabel } from './tree.js';

type Mode = 'data' | 'input' | 'output' | 'notification';
const SHOWN = new Set(['container', 'leaf', 'leaf-list', 'list', 'choice', 'case', 'anydata', 'anyxml', 'uses', 'action', 'notification', 'input', 'output']);

export function printParsedAugment(augment: Stmt, mode: Mode = 'data'): string {
  return block(augment.subs.filter((s) => SHOWN.has(s.keyword)), '    ', mode, true, undefined);
}

function block(list: Stmt[], prefix: string, mode: Mode, config: boolean, keys: Set<string> | undefined): string {
  const lines = list.map((s) => line(s, mode, config, keys));
  const width = alignWidth(lines);
  let text = '';
  for (const [i, s] of list.entries()) {
    const last = i === list.length - 1;
    text += `${render(lines[i], prefix, width)}\n`;
    const inner = `${prefix}${last ? '   ' : '|  '}`;
    const cfg = ownConfig(s, config);
    if (s.keyword === 'choice') {
      const kids = s.subs.filter((c) => SHOWN.has(c.keyword) && c.keyword !== 'uses');
      const kidLines = kids.map((c) => line(c, mode, cfg, undefined));
      const kidWidth = alignWidth(kidLines);
      for (const [j, c] of kids.entries()) {
        const clast = j === kids.length - 1;
        if (c.keyword === 'case') {
          text += `${render(caseLine(c, undefined), inner, 0)}\n`;
          text += block(
            c.subs.filter((x) => SHOWN.has(x.keyword)),
            `${inner}${clast ? '   ' : '|  '}`,
            mode,
            cfg,
            undefined,
          );
        } else {
          text += `${render(caseLine(c, kidLines[j]), inner, 0)}\n`;
          const casePrefix = `${inner}${clast ? '   ' : '|  '}`;
          text += `${render(kidLines[j], casePrefix, kidWidth)}\n`;
          text += children(c, `${casePrefix}   `, mode, ownConfig(c, cfg));
        }
      }
      continue;
    }
    text += children(s, inner, mode, cfg);
  }
  return text;
}

function children(s: Stmt, prefix: string, mode: Mode, config: boolean): string {
  let kids = s.subs.filter((c) => SHOWN.has(c.keyword));
  let childMode = mode;
  if (s.keyword === 'action' || s.keyword === 'notification') {
    if (s.keyword === 'notification') childMode = 'notification';
    kids = kids.filter((c) => c.keyword !== 'input' || c.subs.some((x) => SHOWN.has(x.keyword)));
    kids = kids.filter((c) => c.keyword !== 'output' || c.subs.some((x) => SHOWN.has(x.keyword)));
  }
  if (s.keyword === 'input') childMode = 'input';
  if (s.keyword === 'output') childMode = 'output';
  const keys = s.keyword === 'list' ? new Set((subArg(s, 'key') ?? '').split(/\s+/)) : undefined;
  return kids.length ? block(kids, prefix, childMode, config, keys) : '';
}

function ownConfig(s: Stmt, inherited: boolean): boolean {
  const c = subArg(s, 'config');
  return c === undefined ? inherited : c === 'true';
}

function statusMark(s: Stmt): string {
  const st = subArg(s, 'status');
  return st === 'deprecated' ? 'x' : st === 'obsolete' ? 'o' : '+';
}

function caseLine(s: Stmt, shorthand: Line | undefined): Line {
  const last = shorthand?.name.slice(-1) ?? '';
  const marker = last === '?' || last === '!' || last === '*' ? last : '';
  const features = shorthand ? [] : subsOf(s, 'if-feature').map((f) => f.arg ?? '');
  return { status: statusMark(s), flags: '', name: `:(${s.arg})${marker}`, alignLen: 0, features };
}

function line(s: Stmt, mode: Mode, inherited: boolean, keys: Set<string> | undefined): Line {
  const name = s.arg ?? '';
  const config = ownConfig(s, inherited);
  const kw = s.keyword;
  const flags =
    kw === 'action'
      ? '-x'
      : kw === 'notification'
        ? '-n'
        : kw === 'input'
          ? '-w'
          : kw === 'output'
            ? 'ro'
            : kw === 'uses'
              ? '-u'
              : kw === 'case'
                ? ''
                : mode === 'input'
                  ? '-w'
                  : mode === 'output'
                    ? 'ro'
                    : mode === 'notification'
                      ? '--'
                      : config
                        ? 'rw'
                        : 'ro';
  const base = { status: statusMark(s), flags, features: subsOf(s, 'if-feature').map((f) => f.arg ?? ''), alignLen: name.length + 1 };
  const type = sub(s, 'type');
  const typeText = type ? typeLabel(type.arg ?? '', subArg(type, 'path')) : undefined;
  const mandatory = subArg(s, 'mandatory') === 'true';
  switch (kw) {
    case 'container':
      return { ...base, name: name + (sub(s, 'presence') ? '!' : '') };
    case 'list':
      return { ...base, name: `${name}*`, keys: sub(s, 'key') ? `[${(subArg(s, 'key') ?? '').trim().split(/\s+/).join(' ')}]` : undefined };
    case 'leaf':
      return { ...base, name: name + (mandatory || keys?.has(name) ? '' : '?'), type: typeText };
    case 'leaf-list':
      return { ...base, name: `${name}*`, type: typeText };
    case 'anydata':
    case 'anyxml':
      return { ...base, name: name + (mandatory ? '' : '?'), type: kw };
    case 'choice':
      return { ...base, name: `(${name})${mandatory ? '' : '?'}`, alignLen: name.length + 3 };
    case 'case':
      return { ...base, name: `:(${name})`, alignLen: name.length + 3 };
    default:
      return { ...base, name };
  }
}
