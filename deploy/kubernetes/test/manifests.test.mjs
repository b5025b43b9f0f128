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
// The server's Java sources, all of them: options and routes live in several classes (ServeCommand
// and its option groups, HttpFront).
const serverSources = readdirSync(join(repo, 'server/src/main/java'), { recursive: true })
  .filter((f) => f.endsWith('.java'))
  .map((f) => readFileSync(join(repo, 'server/src/main/java', f), 'utf8'))
  .join('\n');
const serverFlags = new Set([...serverSources
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
  assert.ok(serverSources.includes('"/health/ready"') && serverSources.includes('"/health/live"'), 'the server serves both');
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

const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
// The Dockerfile's stages: target name -> its lines, its FROM resolved through the ARG defaults.
const stages = (() => {
  const defaults = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  const out = {};
  let current = null;
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (from) {
      current = from[2];
      out[current] = { from: from[1].replace(/^\$\{(\w+)\}$/, (_, a) => defaults[a] ?? `\${${a}}`), lines: [] };
    } else if (current) {
      out[current].lines.push(line);
    }
  }
  for (const s of Object.values(out)) s.text = s.lines.join('\n');
  return out;
})();

for (const [target, base] of [['gpu', /^nvidia\/cuda:13[\d.]*-runtime-ubuntu/], ['cpu', /-jre/]]) {
  test(`the Dockerfile's ${target} target starts the server as a non-root user, with what the probes need`, () => {
    const s = stages[target];
    assert.ok(s, `a stage named ${target}`);
    assert.match(s.from, base);
    assert.match(s.text, /curl/, 'preStop and the HEALTHCHECK use curl');
    assert.match(s.text, /^EXPOSE 8080$/m);
    assert.match(s.text, /^USER depthcast$/m);
    assert.match(s.text, /^HEALTHCHECK [\s\S]*\/health\/live/m);
    assert.match(s.text, /org\.opencontainers\.image\.version/);
    assert.match(s.text, /^ENTRYPOINT \[.*dev\.depthcast\.ServeCommand/m);
  });
}

test('the gpu target carries the TensorRT module, the cpu target no GPU library', () => {
  assert.match(stages.gpu.text, /--from=build-gpu .*engines\/tensorrt\/target\/lib/);
  assert.match(stages['build-gpu'].text, /-Pgpu-redist -pl server,engines\/tensorrt/);
  assert.doesNotMatch(stages.cpu.text, /tensorrt|build-gpu/);
  assert.doesNotMatch(stages.build.text, /gpu-redist|engines\/tensorrt/);
  assert.equal(Object.keys(stages).at(-1), 'gpu', 'a build without --target makes the gpu image, as before');
});

// The CPU overlay (deploy/kubernetes/cpu): what `kubectl apply -k` makes of the base's Deployment,
// computed here with the overlay's image rewrite and its RFC 6902 operations.
const overlayDir = join(here, 'cpu');
const overlay = parse(readFileSync(join(overlayDir, 'kustomization.yaml'), 'utf8'));
const pointer = (path) => path.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
const applyPatch = (doc, ops) => {
  for (const op of ops) {
    const keys = pointer(op.path);
    const last = keys.pop();
    const parent = keys.reduce((o, k) => {
      assert.ok(o != null && k in o, `${op.op} ${op.path}: the base has it`);
      return o[k];
    }, doc);
    assert.ok(parent != null && (op.op === 'add' || last in parent), `${op.op} ${op.path}: the base has it`);
    if (op.op === 'test') assert.deepEqual(parent[last], op.value, `test ${op.path}`);
    else if (op.op === 'remove') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    else if (op.op === 'replace' || op.op === 'add') parent[last] = op.value;
    else assert.fail(`unsupported operation ${op.op}`);
  }
  return doc;
};
const cpuDeployment = (() => {
  assert.deepEqual(overlay.resources, ['..']);
  const d = structuredClone(deployment);
  for (const p of overlay.patches) {
    assert.equal(p.target.kind, 'Deployment');
    assert.equal(p.target.name, d.metadata.name);
    applyPatch(d, parse(readFileSync(join(overlayDir, p.path), 'utf8')));
  }
  for (const c of d.spec.template.spec.containers) {
    const [name, tag] = c.image.split(':');
    const rule = overlay.images.find((i) => i.name === name);
    if (rule) c.image = `${rule.newName ?? name}:${rule.newTag ?? tag}`;
  }
  return d;
})();

test('the CPU overlay: a valid Deployment of the cpu image, the CPU backend, no GPU, no model volumes', () => {
  new Deployment(cpuDeployment).validate();
  const spec = cpuDeployment.spec.template.spec;
  const c = spec.containers.find((x) => x.name === 'depthcast');
  assert.equal(c.image, `depthcast:${overlay.images[0].newTag}`);
  assert.match(c.image, /-cpu$/);
  const a = argsOf(c);
  assert.equal(a['--backend'], 'cpu');
  for (const gone of ['--devices', '--engine', '--model', '--preset']) assert.equal(a[gone], undefined, `${gone} removed`);
  for (const flag of Object.keys(a)) assert.ok(serverFlags.has(flag), `${flag} is a flag of ServeCommand`);
  assert.equal(c.resources.limits['nvidia.com/gpu'], undefined);
  assert.equal(spec.tolerations, undefined);
  const volumes = new Set(spec.volumes.map((v) => v.name));
  assert.deepEqual(c.volumeMounts.map((m) => m.name).filter((n) => !volumes.has(n)), [], 'every mount has its volume');
  assert.deepEqual([...volumes].sort(), ['tokens']);
  const kept = Object.fromEntries(Object.entries(args).filter(([k]) => !['--devices', '--engine', '--model', '--preset'].includes(k)));
  assert.deepEqual(a, { ...kept, '--backend': 'cpu' }, 'every other flag as in the base');
  assert.ok(deployment.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'], 'the base is untouched');
});
