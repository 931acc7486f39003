import type { RpcErrorDetail, RpcErrorInfoItem } from './errors.js';
import { NS_BASE, type XmlElement, element, elements, innerXml, textOf } from './xml.js';

function leaf(el: XmlElement, name: string): string | undefined {
  const c = element(el, name, NS_BASE);
  return c === undefined ? undefined : textOf(c).trim();
}

function infoItems(info: XmlElement | undefined): RpcErrorInfoItem[] {
  if (!info) return [];
  return elements(info).map((c) => ({
    name: c.name,
    namespace: c.ns,
    value: elements(c).length > 0 ? innerXml(c).trim() : textOf(c).trim(),
  }));
}

/** Every <rpc-error> of an <rpc-reply> (RFC 6241 §4.3). */
export function parseRpcErrors(reply: XmlElement): RpcErrorDetail[] {
  return elements(reply, 'rpc-error', NS_BASE).map((e) => {
    const msgEl = element(e, 'error-message', NS_BASE);
    const detail: RpcErrorDetail = {
      type: leaf(e, 'error-type') ?? '',
      tag: leaf(e, 'error-tag') ?? '',
      severity: leaf(e, 'error-severity') ?? 'error',
      info: infoItems(element(e, 'error-info', NS_BASE)),
    };
    const appTag = leaf(e, 'error-app-tag');
    if (appTag) detail.appTag = appTag;
    const path = leaf(e, 'error-path');
    if (path) detail.path = path;
    if (msgEl) {
      detail.message = textOf(msgEl).trim();
      const lang = msgEl.attrs.find((a) => a.name === 'lang')?.value;
      if (lang) detail.messageLang = lang;
    }
    return detail;
  });
}

export function hasOk(reply: XmlElement): boolean {
  return element(reply, 'ok', NS_BASE) !== undefined;
}
