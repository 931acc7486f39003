/** Output of `cnsdn netconf`: indented XML, hello summaries, rpc-errors in the device's words. */
import {
  type Capabilities,
  type NetconfError,
  NetconfRpcError,
  type XmlElement,
  describeRpcError,
  escapeAttr,
  escapeText,
  isElement,
  parseXml,
  parseXmlFragment,
  serializeXml,
} from '../../protocols/netconf/index.js';

function qname(el: XmlElement): string {
  return el.prefix ? `${el.prefix}:${el.name}` : el.name;
}

function openTag(el: XmlElement, extra: Record<string, string>): string {
  let s = `<${qname(el)}`;
  for (const [p, uri] of Object.entries({ ...extra, ...el.decls })) s += p === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${p}="${escapeAttr(uri)}"`;
  for (const a of el.attrs) s += ` ${a.prefix ? `${a.prefix}:${a.name}` : a.name}="${escapeAttr(a.value)}"`;
  return s;
}

function write(el: XmlElement, depth: number, out: string[], extra: Record<string, string> = {}): void {
  const pad = '  '.repeat(depth);
  const kids = el.children.filter(isElement);
  if (kids.length === 0) {
    const text = el.children.join('');
    out.push(text.trim() === '' ? `${pad}${openTag(el, extra)}/>` : `${pad}${openTag(el, extra)}>${escapeText(text)}</${qname(el)}>`);
    return;
  }
  out.push(`${pad}${openTag(el, extra)}>`);
  for (const c of el.children) {
    if (isElement(c)) write(c, depth + 1, out);
    else if (c.trim() !== '') out.push(`${pad}  ${escapeText(c.trim())}`);
  }
  out.push(`${pad}</${qname(el)}>`);
}

/** An element as indented XML, its namespaces declared. */
export function prettyXml(el: XmlElement): string {
  const compact = parseXml(serializeXml(el));
  const out: string[] = [];
  write(compact, 0, out);
  return `${out.join('\n')}\n`;
}

/** The <rpc-error> elements of a reply, indented. */
function rpcErrorsXml(xml: string): string {
  return parseXmlFragment(xml).filter(isElement).map(prettyXml).join('');
}

export function helloText(sessionId: number, caps: Capabilities, hostKeyFingerprint: string): string {
  const lines = [`session-id: ${sessionId}`];
  if (hostKeyFingerprint) lines.push(`host-key: ${hostKeyFingerprint}`);
  lines.push('capabilities:', ...caps.uris.map((u) => `  ${u}`));
  return `${lines.join('\n')}\n`;
}

/** What to print on stderr for a failed operation or connection: a line per error, then the device's <rpc-error> XML. */
export function describeNetconfError(e: NetconfError): string {
  if (e instanceof NetconfRpcError) {
    const failing = e.errors.filter((x) => x.severity !== 'warning');
    const lines = (failing.length > 0 ? failing : e.errors).map((x) => `error: ${e.operation}: ${describeRpcError(x)}`);
    if (e.xml) lines.push(rpcErrorsXml(e.xml).trimEnd());
    return lines.join('\n');
  }
  if (e.code === 'NETCONF_HOSTKEY') {
    return `error: ${e.message} (check --known-hosts/--fingerprint; the device's key may have changed)`;
  }
  return `error: ${e.message}`;
}
