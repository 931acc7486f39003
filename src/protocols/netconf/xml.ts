import { SaxesParser, type SaxesTagNS } from 'saxes';
import { NetconfError } from './errors.js';

export const NS_BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
export const NS_NOTIFICATION = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
const NS_XML = 'http://www.w3.org/XML/1998/namespace';
const MAX_DEPTH = 512;

export interface XmlAttribute {
  name: string;
  prefix: string;
  ns: string;
  value: string;
}

export interface XmlElement {
  /** Local name. */
  name: string;
  prefix: string;
  /** Namespace URI, '' when none. */
  ns: string;
  attrs: XmlAttribute[];
  /** Namespace declarations made on this element: prefix ('' = default) → URI. */
  decls: Record<string, string>;
  /** Bindings in scope at this element, declarations of its ancestors included. */
  scope: Readonly<Record<string, string>>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export function isElement(n: XmlNode): n is XmlElement {
  return typeof n !== 'string';
}

interface ParseOptions {
  fragment?: boolean;
  /** Prefix bindings assumed around a fragment. */
  namespaces?: Record<string, string>;
}

function parse(input: string | Buffer, opts: ParseOptions): XmlNode[] {
  let text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parser = new SaxesParser({
    xmlns: true,
    fragment: opts.fragment ?? false,
    additionalNamespaces: opts.namespaces,
    position: true,
  });
  const top: XmlNode[] = [];
  const stack: XmlElement[] = [];
  const rootScope: Record<string, string> = { ...(opts.namespaces ?? {}) };
  const append = (n: XmlNode): void => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      top.push(n);
      return;
    }
    const last = parent.children[parent.children.length - 1];
    if (typeof n === 'string' && typeof last === 'string') parent.children[parent.children.length - 1] = last + n;
    else parent.children.push(n);
  };
  let error: NetconfError | undefined;
  const fail = (message: string): void => {
    error ??= new NetconfError('NETCONF_XML', message);
    throw error;
  };
  parser.on('doctype', () => fail('XML with a DOCTYPE is refused (no DTDs or entity declarations in NETCONF)'));
  parser.on('error', (err) => fail(`malformed XML: ${err.message}`));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length >= MAX_DEPTH) fail(`XML nested deeper than ${MAX_DEPTH} elements`);
    const parent = stack[stack.length - 1];
    const decls: Record<string, string> = {};
    const attrs: XmlAttribute[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns') decls[a.local] = a.value;
      else if (a.prefix === '' && a.local === 'xmlns') decls[''] = a.value;
      else attrs.push({ name: a.local, prefix: a.prefix, ns: a.uri, value: a.value });
    }
    const outer = parent ? parent.scope : rootScope;
    const scope = Object.keys(decls).length > 0 ? { ...outer, ...decls } : outer;
    const el: XmlElement = { name: tag.local, prefix: tag.prefix, ns: tag.uri, attrs, decls, scope, children: [] };
    append(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => append(t));
  parser.on('cdata', (t) => append(t));
  try {
    parser.write(text).close();
  } catch (err) {
    if (error) throw error;
    throw new NetconfError('NETCONF_XML', `malformed XML: ${(err as Error).message}`, { cause: err });
  }
  return top;
}

/** Parses one XML document. DTDs and entity declarations are refused: NetconfError NETCONF_XML. */
export function parseXml(input: string | Buffer): XmlElement {
  const nodes = parse(input, {});
  const roots = nodes.filter(isElement);
  if (roots.length !== 1) throw new NetconfError('NETCONF_XML', 'XML document without a single root element');
  return roots[0];
}

/** Parses a sequence of elements and text, as in the content of <config> or <filter>. */
export function parseXmlFragment(input: string, namespaces?: Record<string, string>): XmlNode[] {
  return parse(input, { fragment: true, namespaces });
}

export function elements(el: XmlElement, name?: string, ns?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (typeof c !== 'string' && (name === undefined || c.name === name) && (ns === undefined || c.ns === ns)) {
      out.push(c);
    }
  }
  return out;
}

export function element(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return elements(el, name, ns)[0];
}

/** Concatenated text of the element and its descendants. */
export function textOf(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += typeof c === 'string' ? c : textOf(c);
  return s;
}

export function attribute(el: XmlElement, name: string, ns = ''): string | undefined {
  return el.attrs.find((a) => a.name === name && a.ns === ns)?.value;
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c]);
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

/** Builds `<name attr="...">content</name>`; content is XML already built or checked. */
export function xmlElement(name: string, attrs: Record<string, string | undefined> = {}, content = ''): string {
  if (!NAME.test(name)) throw new NetconfError('NETCONF_INVALID_ARGUMENT', `not an XML name: ${JSON.stringify(name)}`);
  let s = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (!NAME.test(k)) throw new NetconfError('NETCONF_INVALID_ARGUMENT', `not an XML name: ${JSON.stringify(k)}`);
    s += ` ${k}="${escapeAttr(v)}"`;
  }
  return content === '' ? `${s}/>` : `${s}>${content}</${name}>`;
}

/** Content of `el` as XML text, each child element carrying the namespace bindings it uses. */
export function innerXml(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += typeof c === 'string' ? escapeText(c) : serializeXml(c);
  return s;
}

/** Serialises an element on its own, declaring the in-scope prefixes it uses. */
export function serializeXml(el: XmlElement): string {
  const used = new Set<string>();
  collectPrefixes(el, used);
  const extra: Record<string, string> = {};
  for (const p of used) {
    if (p === 'xml' || p in el.decls) continue;
    const uri = el.scope[p];
    if (uri !== undefined) extra[p] = uri;
  }
  return write(el, extra);
}

function collectPrefixes(el: XmlElement, into: Set<string>): void {
  into.add(el.prefix);
  for (const a of el.attrs) if (a.prefix) into.add(a.prefix);
  for (const c of el.children) if (typeof c !== 'string') collectPrefixes(c, into);
}

function write(el: XmlElement, extra: Record<string, string>): string {
  const qname = el.prefix ? `${el.prefix}:${el.name}` : el.name;
  let s = `<${qname}`;
  for (const [p, uri] of Object.entries({ ...extra, ...el.decls })) {
    s += p === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${p}="${escapeAttr(uri)}"`;
  }
  for (const a of el.attrs) {
    s += ` ${a.prefix ? `${a.prefix}:${a.name}` : a.name}="${escapeAttr(a.value)}"`;
  }
  if (el.children.length === 0) return `${s}/>`;
  s += '>';
  for (const c of el.children) s += typeof c === 'string' ? escapeText(c) : write(c, {});
  return `${s}</${qname}>`;
}

/**
 * Checks that caller-supplied XML (a config or a filter) is a well-formed fragment, so that it
 * cannot close the surrounding <rpc> and smuggle in another operation.
 */
export function checkFragment(xml: string, what: string): void {
  try {
    parseXmlFragment(xml, { xml: NS_XML });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new NetconfError('NETCONF_INVALID_ARGUMENT', `${what} is not well-formed XML: ${msg}`, { cause: err });
  }
}
