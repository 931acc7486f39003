import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetconfError, NetconfRpcError } from './errors.js';
import { parseRpcErrors } from './reply.js';
import {
  NS_BASE,
  attribute,
  checkFragment,
  element,
  escapeAttr,
  escapeText,
  innerXml,
  parseXml,
  serializeXml,
  textOf,
  xmlElement,
} from './xml.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NetconfError, `expected NetconfError, got ${err}`);
    return err.code;
  }
  assert.fail('expected an error');
}

const BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data>&lol9;</data></rpc-reply>`;

describe('xml: safe parsing', () => {
  it('rejects a billion-laughs bomb at its DOCTYPE with NETCONF_XML, before any expansion', () => {
    assert.equal(
      codeOf(() => parseXml(BOMB)),
      'NETCONF_XML',
    );
    assert.throws(() => parseXml(BOMB), /XML with a DOCTYPE is refused/);
  });

  it('rejects any DOCTYPE, even a harmless one, and external entities', () => {
    assert.equal(
      codeOf(() => parseXml('<!DOCTYPE a><a/>')),
      'NETCONF_XML',
    );
    assert.equal(
      codeOf(() => parseXml('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')),
      'NETCONF_XML',
    );
  });

  it('rejects undeclared entity references and malformed XML', () => {
    for (const bad of ['<a>&lol9;</a>', '<a><b></a>', 'hello', '', '<a/><b/>', '<a>', '<p:a/>']) {
      assert.equal(
        codeOf(() => parseXml(bad)),
        'NETCONF_XML',
        bad,
      );
    }
  });

  it('rejects nesting deeper than 512 elements', () => {
    const deep = '<a>'.repeat(600) + '</a>'.repeat(600);
    assert.equal(
      codeOf(() => parseXml(deep)),
      'NETCONF_XML',
    );
    assert.doesNotThrow(() => parseXml('<a>'.repeat(500) + '</a>'.repeat(500)));
  });

  it('resolves namespaces, predefined entities, character references and CDATA', () => {
    const doc = parseXml(
      `\ufeff<?xml version="1.0"?><nc:rpc-reply xmlns:nc="${NS_BASE}" message-id="7"><nc:data><x xmlns="urn:x" a="1&amp;2">&lt;&#65;<![CDATA[<b>]]></x></nc:data></nc:rpc-reply>`,
    );
    assert.equal(doc.name, 'rpc-reply');
    assert.equal(doc.ns, NS_BASE);
    assert.equal(attribute(doc, 'message-id'), '7');
    const data = element(doc, 'data', NS_BASE);
    assert.ok(data);
    const x = element(data, 'x', 'urn:x');
    assert.ok(x);
    assert.equal(attribute(x, 'a'), '1&2');
    assert.equal(textOf(x), '<A<b>');
    assert.equal(element(data, 'x', NS_BASE), undefined, 'matching is by namespace, not by name alone');
  });

  it('serialises a subtree with the bindings it uses from its ancestors', () => {
    const doc = parseXml(
      '<r xmlns="urn:r" xmlns:if="urn:if" xmlns:t="urn:t" xmlns:unused="urn:u"><if:a t:k="v"><b>1 &lt; 2</b></if:a></r>',
    );
    const a = doc.children[0];
    assert.ok(typeof a !== 'string');
    const s = serializeXml(a);
    assert.equal(s, '<if:a xmlns:if="urn:if" xmlns:t="urn:t" xmlns="urn:r" t:k="v"><b>1 &lt; 2</b></if:a>');
    const again = parseXml(s);
    assert.equal(again.ns, 'urn:if');
    assert.equal(element(again, 'b', 'urn:r') !== undefined, true);
    assert.equal(innerXml(doc), s);
  });
});

describe('xml: building', () => {
  it('escapes text and attributes', () => {
    assert.equal(escapeText('a<b>&c"d'), 'a&lt;b&gt;&amp;c"d');
    assert.equal(escapeAttr('a"<&>\n\t'), 'a&quot;&lt;&amp;&gt;&#10;&#9;');
    assert.equal(xmlElement('x', { a: '"]]>]]>"', b: undefined }, escapeText('</x>')), '<x a="&quot;]]&gt;]]&gt;&quot;">&lt;/x&gt;</x>');
    assert.equal(xmlElement('ok'), '<ok/>');
  });

  it('refuses element and attribute names that are not XML names', () => {
    assert.equal(
      codeOf(() => xmlElement('a><b')),
      'NETCONF_INVALID_ARGUMENT',
    );
    assert.equal(
      codeOf(() => xmlElement('a', { 'x="1" y': '2' })),
      'NETCONF_INVALID_ARGUMENT',
    );
  });

  it('checkFragment refuses XML that would escape its element', () => {
    assert.doesNotThrow(() => checkFragment('<a xmlns="urn:a"/><b xmlns="urn:b">t</b>', 'config'));
    for (const bad of ['</config><kill-session/>', '<a>', '<!DOCTYPE x><a/>', '<p:a/>', '<a>&x;</a>']) {
      assert.equal(
        codeOf(() => checkFragment(bad, 'config')),
        'NETCONF_INVALID_ARGUMENT',
        bad,
      );
    }
  });
});

describe('rpc-error parsing', () => {
  const reply = parseXml(`<rpc-reply xmlns="${NS_BASE}" message-id="3">
  <rpc-error>
    <error-type>application</error-type>
    <error-tag>data-missing</error-tag>
    <error-severity>error</error-severity>
    <error-app-tag>instance-required</error-app-tag>
    <error-path xmlns:if="urn:ietf:params:xml:ns:yang:ietf-interfaces">/if:interfaces/if:interface[if:name='eth9']/if:type</error-path>
    <error-message xml:lang="en">missing mandatory leaf</error-message>
    <error-info>
      <bad-element>type</bad-element>
      <session-id>0</session-id>
      <x:detail xmlns:x="urn:x"><x:why>because</x:why></x:detail>
    </error-info>
  </rpc-error>
  <rpc-error>
    <error-type>protocol</error-type>
    <error-tag>operation-failed</error-tag>
    <error-severity>warning</error-severity>
  </rpc-error>
</rpc-reply>`);

  it('yields type, tag, severity, app-tag, path, message, language and info', () => {
    const errors = parseRpcErrors(reply);
    assert.equal(errors.length, 2);
    assert.deepEqual(errors[0], {
      type: 'application',
      tag: 'data-missing',
      severity: 'error',
      appTag: 'instance-required',
      path: "/if:interfaces/if:interface[if:name='eth9']/if:type",
      message: 'missing mandatory leaf',
      messageLang: 'en',
      info: [
        { name: 'bad-element', namespace: NS_BASE, value: 'type' },
        { name: 'session-id', namespace: NS_BASE, value: '0' },
        { name: 'detail', namespace: 'urn:x', value: '<x:why xmlns:x="urn:x">because</x:why>' },
      ],
    });
    assert.deepEqual(errors[1], { type: 'protocol', tag: 'operation-failed', severity: 'warning', info: [] });
  });

  it('NetconfRpcError keeps the device words in its message and names the failing tag', () => {
    const err = new NetconfRpcError('edit-config', parseRpcErrors(reply));
    assert.equal(err.code, 'NETCONF_RPC_ERROR');
    assert.equal(err.tag, 'data-missing');
    assert.match(err.message, /^edit-config failed: application\/data-missing \(instance-required\): missing mandatory leaf at \/if:interfaces/);
    assert.match(err.message, /bad-element=type/);
    assert.doesNotMatch(err.message, /operation-failed/, 'warnings are not shown when there is an error');
  });
});
