import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../protocols/netconf/xml.js';
import { NC_NOTIFICATIONS_NS, SUMMARY_LIST_MAX, summarizeNotification } from './notification-event.js';

const ev = (body: string) => parseXml(body);

describe('NETCONF notification summary (RFC 6470)', () => {
  test('netconf-config-change: datastore, changed-by, each edit target and operation', () => {
    const s = summarizeNotification(
      ev(`<netconf-config-change xmlns="${NC_NOTIFICATIONS_NS}" xmlns:if="urn:ietf:params:xml:ns:yang:ietf-interfaces">
        <changed-by><username>admin</username><session-id>7</session-id><source-host>127.0.0.1</source-host></changed-by>
        <datastore>running</datastore>
        <edit><target>/if:interfaces/if:interface[if:name='eth9']</target><operation>create</operation></edit>
        <edit><target>/if:interfaces/if:interface[if:name='eth8']/if:description</target><operation>replace</operation></edit>
      </netconf-config-change>`),
    );
    assert.deepEqual(s, {
      datastore: 'running',
      changedBy: { username: 'admin', 'session-id': '7', 'source-host': '127.0.0.1' },
      edits: [
        { target: "/if:interfaces/if:interface[if:name='eth9']", operation: 'create' },
        { target: "/if:interfaces/if:interface[if:name='eth8']/if:description", operation: 'replace' },
      ],
    });
  });

  test('changed-by server; edits beyond the bound are counted, not listed', () => {
    const edits = Array.from({ length: SUMMARY_LIST_MAX + 5 }, (_, i) => `<edit><target>/x${i}</target><operation>merge</operation></edit>`).join('');
    const s = summarizeNotification(ev(`<netconf-config-change xmlns="${NC_NOTIFICATIONS_NS}"><changed-by><server/></changed-by>${edits}</netconf-config-change>`));
    assert.deepEqual(s.changedBy, { server: true });
    assert.equal((s.edits as unknown[]).length, SUMMARY_LIST_MAX);
    assert.equal(s.editsOmitted, 5);
    assert.deepEqual((s.edits as unknown[])[0], { target: '/x0', operation: 'merge' });
  });

  test('session start and end, confirmed commit, capability change', () => {
    assert.deepEqual(
      summarizeNotification(ev(`<netconf-session-start xmlns="${NC_NOTIFICATIONS_NS}"><username>u</username><session-id>3</session-id><source-host>::1</source-host></netconf-session-start>`)),
      { username: 'u', 'session-id': '3', 'source-host': '::1' },
    );
    assert.deepEqual(
      summarizeNotification(
        ev(`<netconf-session-end xmlns="${NC_NOTIFICATIONS_NS}"><username>u</username><session-id>3</session-id><killed-by>4</killed-by><termination-reason>killed</termination-reason></netconf-session-end>`),
      ),
      { username: 'u', 'session-id': '3', 'killed-by': '4', 'termination-reason': 'killed' },
    );
    assert.deepEqual(
      summarizeNotification(ev(`<netconf-confirmed-commit xmlns="${NC_NOTIFICATIONS_NS}"><session-id>5</session-id><confirm-event>start</confirm-event><timeout>600</timeout></netconf-confirmed-commit>`)),
      { 'session-id': '5', 'confirm-event': 'start', timeout: '600' },
    );
    assert.deepEqual(
      summarizeNotification(ev(`<netconf-capability-change xmlns="${NC_NOTIFICATIONS_NS}"><added-capability>urn:a</added-capability><deleted-capability>urn:b</deleted-capability></netconf-capability-change>`)),
      { added: ['urn:a'], deleted: ['urn:b'], modified: [] },
    );
  });

  test('other events and other namespaces give an empty summary', () => {
    assert.deepEqual(summarizeNotification(ev(`<link-down xmlns="urn:example"><if>eth0</if></link-down>`)), {});
    assert.deepEqual(summarizeNotification(ev(`<netconf-config-change xmlns="urn:example"><datastore>running</datastore></netconf-config-change>`)), {});
  });
});
