import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import Fastify from 'fastify';
import { buildServer, createMetricsRegistry } from '../nbi/index.js';
import { DEFAULT_BODY_LIMIT } from '../nbi/server.js';
import { installHttpMetrics } from '../nbi/metrics.js';
import { crdbClusterProblems, crossReferenceProblems, type K8sObject, kustomize, natsProblems, ref, requiredSecrets } from './manifests.js';

const root = new URL('../..', import.meta.url).pathname;
const overlays = ['single', 'cluster'] as const;
const hasKubectl = kustomize(join(root, 'deploy/k8s/base')) !== undefined;

function render(overlay: string): K8sObject[] {
  const text = kustomize(join(root, 'deploy/k8s/overlays', overlay));
  assert.ok(text, 'kubectl renders');
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

/** kubernetes-models class for a built-in kind, or undefined for a custom resource. */
async function modelOf(o: K8sObject): Promise<(new (data: unknown) => { validate(): void }) | undefined> {
  if (o.apiVersion.includes('.') && !o.apiVersion.includes('k8s.io')) return undefined;
  // biome-ignore lint/suspicious/noExplicitAny: module namespace looked up by kind
  const mod: any = await import(`kubernetes-models/${o.apiVersion}`);
  return mod[o.kind];
}

async function controllerFacts() {
  const app = await buildServer({ logger: false, readiness: [], routes: [], version: 't' });
  const routes = new Set<string>();
  for (const path of ['/healthz', '/readyz']) if ((await app.inject({ method: 'GET', url: path })).statusCode === 200) routes.add(path);
  await app.close();
  const registry = createMetricsRegistry({ defaultMetrics: false });
  const probe = Fastify();
  installHttpMetrics(probe, registry);
  probe.get('/x', async () => 'x');
  await probe.inject({ method: 'GET', url: '/x' });
  await probe.close();
  const counters = (await registry.getMetricsAsJSON()).filter((m) => String(m.type) === 'counter').map((m) => m.name);
  // POST /tfs-api/descriptors takes up to 256 MiB (nbi/descriptors-api.ts); every other route the default.
  const bodyLimit = (path: string) => (path === '/tfs-api/descriptors' ? 256 * 1024 * 1024 : DEFAULT_BODY_LIMIT);
  return { controllerRoutes: routes, counters, bodyLimit, controllerImage: /\/cnsdn:/ };
}

describe('Kubernetes manifests (deploy/k8s)', { skip: hasKubectl ? false : 'kubectl is not installed: nothing renders the overlays' }, () => {
  for (const overlay of overlays) {
    it(`${overlay}: renders offline and every built-in object is valid for kubernetes-models`, async () => {
      const objects = render(overlay);
      assert.ok(objects.length >= 12, `${objects.length} objects`);
      for (const o of objects) {
        const Model = await modelOf(o);
        if (!Model) {
          assert.equal(o.kind, 'CrdbCluster', `custom resource ${ref(o)} has a shape check`);
          continue;
        }
        assert.ok(Model, `kubernetes-models knows ${o.apiVersion} ${o.kind}`);
        assert.doesNotThrow(() => new Model(o).validate(), `${overlay}: ${ref(o)}`);
      }
    });

    it(`${overlay}: services, probes, HPA, PDB, ingress, config and pods hold together`, async () => {
      const objects = render(overlay);
      assert.deepEqual(crossReferenceProblems(objects, await controllerFacts()), []);
      assert.deepEqual(natsProblems(objects), []);
    });
  }

  it('cluster: 3+ controller replicas, CockroachDB CrdbCluster (3 nodes, TLS), NATS with 3 servers', () => {
    const objects = render('cluster');
    const crdb = objects.filter((o) => o.kind === 'CrdbCluster');
    assert.equal(crdb.length, 1);
    assert.deepEqual(crdbClusterProblems(crdb[0]), []);
    assert.equal(crdb[0].spec.nodes, 3);
    const deploy = objects.find((o) => o.kind === 'Deployment');
    assert.ok(deploy && deploy.spec.replicas >= 3);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.ok(hpa && hpa.spec.minReplicas >= 3);
    const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'cnsdn-nats');
    assert.equal(nats?.spec.replicas, 3);
  });

  it('single: one replica, one CockroachDB node with TLS, one NATS server, no HPA', () => {
    const objects = render('single');
    assert.equal(objects.find((o) => o.kind === 'Deployment')?.spec.replicas, 1);
    assert.equal(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length, 0);
    assert.equal(objects.filter((o) => o.kind === 'CrdbCluster').length, 0);
    const crdb = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'cnsdn-crdb');
    assert.equal(crdb?.spec.replicas, 1);
    const args: string[] = crdb?.spec.template.spec.containers[0].args;
    assert.ok(args.includes('start-single-node') && args.some((a) => a.startsWith('--certs-dir=')) && !args.includes('--insecure'));
    assert.equal(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'cnsdn-nats')?.spec.replicas, 1);
  });

  it('every Secret the pods read is documented with a kubectl create secret command, and none is committed', () => {
    const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    for (const overlay of overlays) {
      const objects = render(overlay);
      assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
      for (const name of requiredSecrets(objects)) {
        if (name.startsWith('cnsdn-crdb-') && overlay === 'cluster') continue; // made by the CockroachDB operator
        assert.match(doc, new RegExp(`kubectl (-n cnsdn )?create secret [a-z]+ ${name}\\b`), `${overlay}: secret ${name} documented`);
      }
    }
  });

  it('the checks find faults: a service that selects nothing, a probe on a missing route, an HPA on a missing Deployment', async () => {
    const objects = render('cluster');
    const broken = structuredClone(objects);
    const svc = broken.find((o) => o.kind === 'Service' && o.metadata.name === 'cnsdn');
    const deploy = broken.find((o) => o.kind === 'Deployment');
    const hpa = broken.find((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.ok(svc && deploy && hpa);
    svc.spec.selector = { 'app.kubernetes.io/name': 'nothing' };
    deploy.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/ready';
    hpa.spec.scaleTargetRef.name = 'other';
    hpa.spec.metrics[1].pods.metric.name = 'http_requests_per_second';
    const problems = crossReferenceProblems(broken, await controllerFacts());
    assert.equal(problems.length, 4, problems.join('\n'));
    const sts = broken.find((o) => o.kind === 'StatefulSet');
    assert.ok(sts);
    sts.spec.replicas = 5;
    assert.equal(natsProblems(broken).length, 1);
  });
});
