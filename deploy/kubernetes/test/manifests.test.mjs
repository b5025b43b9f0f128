// Offline validation of deploy/kubernetes: every object against Kubernetes' own OpenAPI schemas
// (kubernetes-models, generated from them; prometheus-operator's CRD schema for the
// ServiceMonitor), then the fields depthcast relies on, cross-checked with the server's sources.
// Like kubectl's client-side validation, the schemas catch wrong types, missing required fields
// and bad enums, not unknown field names: the structural tests below read every field that
// matters from where Kubernetes reads it, so a misplaced one fails there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(here, '..', '..');
const MODELS = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const kustomization = parse(readFileSync(join(here, 'kustomization.yaml'), 'utf8'));
const objects = [];
for (const file of kustomization.resources) {
  for (const doc of parseAllDocuments(readFileSync(join(here, file), 'utf8'))) {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    const o = doc.toJS();
    if (o) objects.push({ file, o });
  }
}
const find = (kind, name) => {
  const hit = objects.find(({ o }) => o.kind === kind && o.metadata.name === name);
  assert.ok(hit, `${kind}/${name} is in the manifests`);
  return hit.o;
};
const argsOf = (container) => Object.fromEntries(container.args.map((a) => {
  const m = /^(--[a-z-]+)(?:=(.*))?$/.exec(a);
  assert.ok(m, `argument ${a} is --flag=value`);
  return [m[1], m[2] ?? true];
}));
const serverFlags = new Set([...readFileSync(join(repo, 'server/src/main/java/dev/depthcast/ServeCommand.java'), 'utf8')
  .matchAll(/names = "(--[a-z-]+)"/g)].map((m) => m[1]));

test('kustomization lists every manifest in the folder', () => {
  const yamls = readdirSync(here).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  assert.deepEqual([...kustomization.resources].sort(), yamls);
});

test('every object is valid against its Kubernetes (or prometheus-operator) schema', () => {
  assert.ok(objects.length >= 9, `${objects.length} objects`);
  for (const { file, o } of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    assert.ok(Model, `${file}: no schema known for ${o.apiVersion} ${o.kind}`);
    assert.doesNotThrow(() => new Model(o).validate(), `${file}: ${o.kind}/${o.metadata?.name}`);
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'depthcast', `${o.kind}/${o.metadata.name} namespace`);
  }
});

test('the schemas do catch mistakes (the check is not vacuous)', () => {
  const d = structuredClone(find('Deployment', 'depthcast'));
  d.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  assert.throws(() => new Deployment(d).validate(), /containerPort/);
  const h = structuredClone(find('HorizontalPodAutoscaler', 'depthcast'));
  delete h.spec.scaleTargetRef.name;
  assert.throws(() => new HorizontalPodAutoscaler(h).validate(), /name/);
});

const deployment = find('Deployment', 'depthcast');
const pod = deployment.spec.template.spec;
const container = pod.containers.find((c) => c.name === 'depthcast');
const args = argsOf(container);

test('one GPU a pod, media on the node (hostNetwork), one pod a node', () => {
  assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
  assert.equal(args['--devices'], '1');
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet', 'cluster DNS still works with hostNetwork');
  const anti = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
  assert.equal(anti.topologyKey, 'kubernetes.io/hostname');
  assert.deepEqual(anti.labelSelector.matchLabels, deployment.spec.template.metadata.labels);
  assert.match(args['--ice-port-range'], /^\d+-\d+$/);
  const [lo, hi] = args['--ice-port-range'].split('-').map(Number);
  assert.ok(hi - lo + 1 >= Number(args['--max-clients']), 'a port per session at least');
  assert.equal(args['--host'], '0.0.0.0');
});

test('every server flag in the manifest exists, and the announced IP comes from the node', () => {
  for (const flag of Object.keys(args)) {
    assert.ok(serverFlags.has(flag), `${flag} is a flag of ServeCommand`);
  }
  assert.equal(args['--announced-ip'], '$(ANNOUNCED_IP)');
  const env = container.env.find((e) => e.name === 'ANNOUNCED_IP');
  assert.equal(env.valueFrom.fieldRef.fieldPath, 'status.hostIP');
});

test('probes hit the health endpoints on the serving port', () => {
  const http = container.ports.find((p) => p.name === 'http');
  assert.equal(http.containerPort, Number(args['--port']));
  assert.equal(container.readinessProbe.httpGet.path, '/health/ready');
  assert.equal(container.livenessProbe.httpGet.path, '/health/live');
  assert.equal(container.startupProbe.httpGet.path, '/health/live');
  for (const p of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    assert.equal(p.httpGet.port, 'http');
  }
  // Readiness must flip fast (a full or draining pod leaves the endpoints within ~2 s).
  assert.ok(container.readinessProbe.periodSeconds * container.readinessProbe.failureThreshold <= 4);
  const api = readFileSync(join(repo, 'server/src/main/java/dev/depthcast/DepthcastServer.java'), 'utf8');
  assert.ok(api.includes('"/health/ready"') && api.includes('"/health/live"'), 'the server serves both');
});

test('preStop drains, and the grace period covers the drain', () => {
  const cmd = container.lifecycle.preStop.exec.command.join(' ');
  assert.match(cmd, /POST/);
  assert.match(cmd, new RegExp(`127\\.0\\.0\\.1:${args['--port']}/api/admin/drain\\?wait=true`));
  assert.match(cmd, /Authorization: Bearer/);
  assert.ok(args['--auth-file'].startsWith(container.volumeMounts.find((m) => m.name === 'tokens').mountPath));
  const drain = Number(args['--drain-seconds']);
  const curlLimit = Number(/-m (\d+)/.exec(cmd)[1]);
  assert.ok(curlLimit > drain, 'the preStop call outlives the drain');
  assert.ok(pod.terminationGracePeriodSeconds >= drain + 10,
    `grace ${pod.terminationGracePeriodSeconds} s for a ${drain} s drain plus closing`);
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
});

test('Service, Ingress (cookie affinity, long WebSocket timeouts), PDB and ServiceMonitor point at the pods', () => {
  const svc = find('Service', 'depthcast');
  assert.deepEqual(svc.spec.selector, deployment.spec.selector.matchLabels);
  assert.equal(svc.spec.ports[0].targetPort, 'http');
  const ing = find('Ingress', 'depthcast');
  const a = ing.metadata.annotations;
  assert.equal(a['nginx.ingress.kubernetes.io/affinity'], 'cookie');
  assert.equal(a['nginx.ingress.kubernetes.io/affinity-mode'], 'persistent');
  assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 600, 'results sockets live long');
  const backend = ing.spec.rules[0].http.paths[0].backend.service;
  assert.equal(backend.name, svc.metadata.name);
  assert.equal(backend.port.name, svc.spec.ports[0].name);
  assert.equal(args['--allowed-origin'], `https://${ing.spec.rules[0].host}`, 'pages come from the Ingress host over TLS');
  const pdb = find('PodDisruptionBudget', 'depthcast');
  assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
  assert.equal(pdb.spec.maxUnavailable, 1);
  const sm = find('ServiceMonitor', 'depthcast');
  assert.deepEqual(sm.spec.selector.matchLabels, svc.metadata.labels);
  assert.equal(sm.spec.endpoints[0].port, 'http');
  assert.equal(sm.spec.endpoints[0].path, '/metrics');
});

test('the HPA scales the Deployment on a metric the server exports, below --max-clients', () => {
  const hpa = find('HorizontalPodAutoscaler', 'depthcast');
  assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
  assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
  const m = hpa.spec.metrics[0];
  assert.equal(m.type, 'Pods');
  assert.equal(m.pods.metric.name, 'depthcast_sessions');
  const metrics = readFileSync(join(repo, 'server/src/main/java/dev/depthcast/metrics/PipelineMetrics.java'), 'utf8');
  assert.ok(metrics.includes('Gauge.builder("depthcast.sessions"'), 'Prometheus name depthcast_sessions');
  assert.ok(Number(m.pods.target.averageValue) < Number(args['--max-clients']), 'scale before pods are full');
  assert.ok(hpa.spec.behavior.scaleDown.policies.every((p) => p.type !== 'Pods' || p.value === 1), 'scale in one drain at a time');
});

test('coturn: shared secret with depthcast, relay ports apart from the media range', () => {
  const turn = find('Deployment', 'coturn').spec.template.spec;
  assert.equal(turn.hostNetwork, true);
  const c = turn.containers[0];
  const secret = c.env.find((e) => e.name === 'TURN_SECRET').valueFrom.secretKeyRef;
  const ours = container.env.find((e) => e.name === 'DEPTHCAST_TURN_SECRET').valueFrom.secretKeyRef;
  assert.deepEqual(secret, ours);
  const conf = find('ConfigMap', 'coturn').data['turnserver.conf'];
  assert.match(conf, /^use-auth-secret$/m);
  const min = Number(/^min-port=(\d+)$/m.exec(conf)[1]);
  const max = Number(/^max-port=(\d+)$/m.exec(conf)[1]);
  const [lo, hi] = args['--ice-port-range'].split('-').map(Number);
  assert.ok(max < lo || min > hi, 'TURN relay ports and depthcast media ports do not overlap on a node');
  assert.match(args['--ice-server'], /^turn:[^:]+:3478/);
});

test('the Dockerfile starts the server on a CUDA runtime base with what the probes need', () => {
  const df = readFileSync(join(repo, 'Dockerfile'), 'utf8');
  assert.match(df, /^FROM nvidia\/cuda:13[\d.]*-runtime-ubuntu/m);
  assert.match(df, /curl/, 'preStop uses curl');
  assert.match(df, /EXPOSE 8080/);
  assert.match(df, /ENTRYPOINT \[.*scripts\/serve\.sh|ENTRYPOINT \[.*depthcast-server\.jar/);
});
