/**
 * Rendering and cross-checking of the Kubernetes manifests under deploy/k8s. Rendering is
 * `kubectl kustomize` (offline); the checks work on the parsed objects and return the
 * problems found, each naming the object, so a test can show every fault at once.
 */
import { spawnSync } from 'node:child_process';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form JSON, checked field by field
  spec?: any;
  data?: Record<string, string>;
}

/** Runs `kubectl kustomize <dir>`; undefined when kubectl is not installed. */
export function kustomize(dir: string, kubectl = 'kubectl'): string | undefined {
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function ref(o: K8sObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

interface PodTemplate {
  owner: K8sObject;
  labels: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: pod spec as rendered
  spec: any;
}

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((o) => ({ owner: o, labels: o.spec?.template?.metadata?.labels ?? {}, spec: o.spec?.template?.spec ?? {} }));
}

function containerPortNames(t: PodTemplate): Set<string | number> {
  const out = new Set<string | number>();
  for (const c of t.spec.containers ?? [])
    for (const p of c.ports ?? []) {
      out.add(p.containerPort);
      if (p.name) out.add(p.name);
    }
  return out;
}

export interface CheckOptions {
  /** Paths the controller answers (probes must hit one of them). */
  controllerRoutes: Set<string>;
  /** Image name of the controller container (before kustomize's image rewrite: its final name). */
  controllerImage: RegExp;
  /** Prometheus counters the controller exports; pods metrics must be `<counter without _total>_per_second`. */
  counters: string[];
  /** Largest request body the controller accepts on a path, in bytes. */
  bodyLimit: (path: string) => number;
}

/** Every reference between the rendered objects, and the house rules for pods; [] when all hold. */
export function crossReferenceProblems(objects: K8sObject[], opts: CheckOptions): string[] {
  const problems: string[] = [];
  const templates = podTemplates(objects);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const names = (kind: string) => new Set(byKind(kind).map((o) => o.metadata.name));
  const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
  if (namespaces.size !== 1 || namespaces.has(undefined)) problems.push(`objects are spread over namespaces ${[...namespaces].join(', ')}`);

  for (const svc of byKind('Service')) {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    const targets = templates.filter((t) => matches(sel, t.labels));
    if (targets.length === 0) problems.push(`${ref(svc)}: selector ${JSON.stringify(sel)} matches no pod template`);
    for (const p of svc.spec?.ports ?? []) {
      const target = p.targetPort ?? p.port;
      if (targets.length > 0 && !targets.some((t) => containerPortNames(t).has(target)))
        problems.push(`${ref(svc)}: targetPort ${target} is not a container port of ${targets.map((t) => ref(t.owner)).join(', ')}`);
    }
  }

  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!templates.some((t) => matches(pdb.spec?.selector?.matchLabels, t.labels))) problems.push(`${ref(pdb)}: selector matches no pod template`);
  }

  const deployments = names('Deployment');
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const target = hpa.spec?.scaleTargetRef;
    if (target?.kind !== 'Deployment' || !deployments.has(target?.name)) problems.push(`${ref(hpa)}: scaleTargetRef ${JSON.stringify(target)} names no Deployment`);
    if (!(hpa.spec.minReplicas <= hpa.spec.maxReplicas)) problems.push(`${ref(hpa)}: minReplicas > maxReplicas`);
    const kinds = new Set((hpa.spec.metrics ?? []).map((m: { type: string }) => m.type));
    if (!kinds.has('Resource') || !kinds.has('Pods')) problems.push(`${ref(hpa)}: needs a CPU (Resource) and a request-rate (Pods) metric`);
    for (const m of hpa.spec.metrics ?? []) {
      if (m.type !== 'Pods') continue;
      const derived = opts.counters.map((c) => `${c.replace(/_total$/, '')}_per_second`);
      if (!derived.includes(m.pods?.metric?.name)) problems.push(`${ref(hpa)}: pods metric ${m.pods?.metric?.name} is not derived from ${opts.counters.join(', ')}`);
    }
  }

  const services = new Map(byKind('Service').map((s) => [s.metadata.name, s]));
  for (const ing of byKind('Ingress')) {
    for (const rule of ing.spec?.rules ?? [])
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend?.service;
        const svc = services.get(backend?.name);
        if (!svc) problems.push(`${ref(ing)}: backend service ${backend?.name} does not exist`);
        else if (!(svc.spec.ports ?? []).some((p: { name?: string; port: number }) => p.name === backend.port?.name || p.port === backend.port?.number))
          problems.push(`${ref(ing)}: backend port ${JSON.stringify(backend.port)} is not a port of ${ref(svc)}`);
      }
    const a = ing.metadata.annotations ?? {};
    for (const key of ['limit-rps', 'limit-connections', 'proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout', 'proxy-body-size']) {
      if (!a[`nginx.ingress.kubernetes.io/${key}`]) problems.push(`${ref(ing)}: no nginx.ingress.kubernetes.io/${key} annotation`);
    }
    const body = a['nginx.ingress.kubernetes.io/proxy-body-size'];
    const paths: string[] = (ing.spec?.rules ?? []).flatMap((r: { http?: { paths?: { path: string }[] } }) => (r.http?.paths ?? []).map((p) => p.path));
    const limit = Math.min(...paths.map((p) => opts.bodyLimit(p)));
    if (body && !(sizeBytes(body) <= limit)) problems.push(`${ref(ing)}: proxy-body-size ${body} exceeds what the controller accepts on ${paths.join(', ')} (${limit} bytes)`);
  }

  const configMaps = names('ConfigMap');
  for (const t of templates) {
    const where = ref(t.owner);
    const sec = t.spec.securityContext ?? {};
    if (sec.runAsNonRoot !== true) problems.push(`${where}: pod does not set runAsNonRoot`);
    for (const c of t.spec.containers ?? []) {
      const cs = c.securityContext ?? {};
      if (cs.readOnlyRootFilesystem !== true) problems.push(`${where}/${c.name}: root filesystem is writable`);
      if (cs.allowPrivilegeEscalation !== false) problems.push(`${where}/${c.name}: privilege escalation allowed`);
      if (!(cs.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}/${c.name}: capabilities not dropped`);
      for (const k of ['requests', 'limits'])
        for (const r of ['cpu', 'memory']) if (!c.resources?.[k]?.[r]) problems.push(`${where}/${c.name}: no ${k}.${r}`);
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        const port = c[probe]?.httpGet?.port;
        if (port === undefined) problems.push(`${where}/${c.name}: no HTTP ${probe}`);
        else if (!containerPortNames(t).has(port)) problems.push(`${where}/${c.name}: ${probe} port ${port} is not a container port`);
      }
      if (opts.controllerImage.test(c.image)) {
        for (const [probe, want] of [
          ['readinessProbe', '/readyz'],
          ['livenessProbe', '/healthz'],
        ]) {
          const path = c[probe]?.httpGet?.path;
          if (path !== want || !opts.controllerRoutes.has(path)) problems.push(`${where}/${c.name}: ${probe} path ${path}, expected ${want} (a controller route)`);
        }
      }
      for (const e of c.envFrom ?? []) if (e.configMapRef && !configMaps.has(e.configMapRef.name)) problems.push(`${where}/${c.name}: ConfigMap ${e.configMapRef.name} not rendered`);
    }
    for (const v of t.spec.volumes ?? []) if (v.configMap && !configMaps.has(v.configMap.name)) problems.push(`${where}: volume ConfigMap ${v.configMap.name} not rendered`);
    if (t.owner.kind !== 'StatefulSet' || t.owner.spec.replicas > 1) {
      const spread = (t.spec.topologySpreadConstraints ?? []).find((s: { topologyKey: string }) => s.topologyKey === 'kubernetes.io/hostname');
      if (!spread || !matches(spread.labelSelector?.matchLabels, t.labels)) problems.push(`${where}: no topology spread across nodes that selects its own pods`);
    }
  }
  if (byKind('Secret').length > 0) problems.push(`Secrets are rendered (${byKind('Secret').map(ref).join(', ')}): they must be created by the operator, never committed`);
  return problems;
}

/** Names of the Secrets the pods read (env, envFrom, volumes): the operator creates them. */
export function requiredSecrets(objects: K8sObject[]): string[] {
  const out = new Set<string>();
  for (const t of podTemplates(objects)) {
    for (const v of t.spec.volumes ?? []) if (v.secret) out.add(v.secret.secretName);
    for (const c of t.spec.containers ?? []) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) out.add(e.valueFrom.secretKeyRef.name);
      for (const e of c.envFrom ?? []) if (e.secretRef) out.add(e.secretRef.name);
    }
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) for (const tls of ing.spec?.tls ?? []) out.add(tls.secretName);
  return [...out].sort();
}

/** nginx size ("8m", "512k", "1g", "100") in bytes. */
export function sizeBytes(value: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

const CRDB_SPEC_KEYS = new Set([
  'nodes', 'tlsEnabled', 'image', 'cockroachDBVersion', 'dataStore', 'resources', 'additionalLabels', 'additionalAnnotations',
  'additionalArgs', 'affinity', 'nodeSelector', 'tolerations', 'topologySpreadConstraints', 'ingress', 'grpcPort', 'sqlPort', 'httpPort',
  'cache', 'maxSQLMemory', 'maxUnavailable', 'minAvailable', 'logConfigMap', 'podEnvVariables', 'clientTLSSecret', 'nodeTLSSecret', 'automountServiceAccountToken',
]);

/** Shape of a CockroachDB operator CrdbCluster (crdb.cockroachlabs.com/v1alpha1), as its CRD defines the fields we use. */
export function crdbClusterProblems(o: K8sObject): string[] {
  const p: string[] = [];
  const where = ref(o);
  if (o.apiVersion !== 'crdb.cockroachlabs.com/v1alpha1') p.push(`${where}: apiVersion ${o.apiVersion}`);
  const s = o.spec ?? {};
  for (const k of Object.keys(s)) if (!CRDB_SPEC_KEYS.has(k)) p.push(`${where}: unknown spec field ${k}`);
  if (!Number.isInteger(s.nodes) || s.nodes < 3) p.push(`${where}: spec.nodes must be an integer ≥ 3 (got ${s.nodes})`);
  if (s.tlsEnabled !== true) p.push(`${where}: spec.tlsEnabled must be true`);
  if (typeof s.image?.name !== 'string' && typeof s.cockroachDBVersion !== 'string') p.push(`${where}: spec.image.name or spec.cockroachDBVersion required`);
  const pvc = s.dataStore?.pvc?.spec;
  if (!pvc?.resources?.requests?.storage || !Array.isArray(pvc.accessModes)) p.push(`${where}: spec.dataStore.pvc.spec needs accessModes and resources.requests.storage`);
  for (const k of ['requests', 'limits']) if (!s.resources?.[k]?.cpu || !s.resources?.[k]?.memory) p.push(`${where}: spec.resources.${k} needs cpu and memory`);
  return p;
}

/** NATS: JetStream on; with several servers, routes to each of them over verified TLS; NATS_URL names only real servers. */
export function natsProblems(objects: K8sObject[]): string[] {
  const p: string[] = [];
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] === 'nats');
  if (!sts) return ['no NATS StatefulSet'];
  const replicas: number = sts.spec.replicas ?? 1;
  const headless: string = sts.spec.serviceName;
  const cmName = (sts.spec.template.spec.volumes ?? []).find((v: { configMap?: unknown }) => v.configMap)?.configMap.name;
  const conf = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName)?.data?.['nats.conf'];
  if (!conf) return [`${ref(sts)}: its configuration (ConfigMap ${cmName}, key nats.conf) is not rendered`];
  if (!/^jetstream\s*\{/m.test(conf)) p.push('nats.conf: JetStream is not enabled');
  const routes = [...conf.matchAll(/nats-route:\/\/([^\s:]+):6222/g)].map((m) => m[1]).sort();
  const servers = Array.from({ length: replicas }, (_, i) => `${sts.metadata.name}-${i}.${headless}`).sort();
  if (replicas > 1) {
    if (JSON.stringify(routes) !== JSON.stringify(servers)) p.push(`nats.conf: routes ${routes.join(', ')} are not the ${replicas} servers ${servers.join(', ')}`);
    const cluster = /^cluster\s*\{([\s\S]*)^\}/m.exec(conf)?.[1] ?? '';
    if (!/tls\s*\{[^}]*verify:\s*true/.test(cluster)) p.push('nats.conf: cluster routes do not use verified TLS');
  } else if (routes.length > 0) p.push('nats.conf: one server with cluster routes');
  for (const t of podTemplates(objects)) {
    for (const c of t.spec.containers ?? []) {
      const url = (c.env ?? []).find((e: { name: string }) => e.name === 'NATS_URL')?.value;
      if (url === undefined) continue;
      for (const u of String(url).split(',')) {
        const host = /^(?:nats|tls):\/\/([^:/]+)(?::4222)?$/.exec(u.trim())?.[1];
        if (!host || !servers.includes(host)) p.push(`${ref(t.owner)}/${c.name}: NATS_URL server ${u} is not one of ${servers.join(', ')}`);
      }
    }
  }
  return p;
}
