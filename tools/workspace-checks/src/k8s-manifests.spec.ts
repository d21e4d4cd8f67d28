import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = path.join(__dirname, '..', '..', '..');
const k8sDir = path.join(root, 'k8s');
const apps = ['api-gateway', 'user-service', 'notification-service'];
const servicesWithDatabase = ['user-service', 'notification-service'];

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };

/** Schema validation runs in a plain Node process: kubernetes-models and its dependencies are ESM-only. */
function validateAgainstApiSchemas(manifests: Manifest[]): Array<{ resource: string; error: string | null }> {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(manifests),
    encoding: 'utf8',
  });
  return JSON.parse(output) as Array<{ resource: string; error: string | null }>;
}

/** The resources a kustomization lists, parsed. */
function loadApp(app: string): Manifest[] {
  const dir = path.join(k8sDir, app);
  const kustomization = parseAllDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS() as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => doc.toJS() as Manifest),
  );
}

function find<T>(manifests: Manifest[], kind: string): T {
  const found = manifests.find((m) => m.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found as unknown as T;
}

interface Container {
  name: string;
  image: string;
  ports: Array<{ name: string; containerPort: number }>;
  envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
}
interface DeploymentShape {
  metadata: { name: string };
  spec: {
    replicas: number;
    strategy: { type: string; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; securityContext: { runAsNonRoot: boolean }; containers: Container[] };
    };
  };
}

describe('every kustomize folder under k8s/', () => {
  it('has one folder per app and nothing else', () => {
    const folders = readdirSync(k8sDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual([...apps].sort());
  });
});

describe.each(apps)('k8s/%s', (app) => {
  const manifests = loadApp(app);
  const deployment = find<DeploymentShape>(manifests, 'Deployment');
  const container = deployment.spec.template.spec.containers[0];

  it('validates every resource against the Kubernetes API schemas', () => {
    const results = validateAgainstApiSchemas(manifests);
    expect(results).toHaveLength(manifests.length);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it('the schema validation catches a broken manifest (it is not vacuous)', () => {
    const broken = structuredClone(deployment) as unknown as Manifest & DeploymentShape;
    (broken.spec.template.spec.containers[0].ports[0] as { containerPort: unknown }).containerPort = 'http';
    const [result] = validateAgainstApiSchemas([{ ...broken, apiVersion: 'apps/v1', kind: 'Deployment' }]);
    expect(result.error).toMatch(/containerPort must be integer/);
  });

  it('ships a Deployment, Service, ConfigMap, Secret, HPA and PDB (and a migration Job when it owns a database)', () => {
    const kinds = manifests.map((m) => m.kind).sort();
    const expected = ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service'];
    if (servicesWithDatabase.includes(app)) expected.push('Job');
    expect(kinds).toEqual(expected.sort());
  });

  it('rolls out two replicas without ever dropping below the desired count', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it('probes liveness and readiness on the health endpoints', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    // The gateway's public port serves liveness only: its detailed readiness is on the internal metrics port.
    const readinessPort = app === 'api-gateway' ? 'metrics' : 'http';
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: readinessPort });
    expect(container.ports.map((p) => p.name)).toEqual(expect.arrayContaining(['http', readinessPort]));
  });

  it('runs as non-root on a read-only filesystem with every capability dropped', () => {
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
  });

  it('gives the pod longer to terminate than the preStop pause plus the drain deadline', () => {
    const configMap = find<{ data: Record<string, string> }>(manifests, 'ConfigMap');
    const [, pauseSeconds] = container.lifecycle.preStop.exec.command;
    const drainSeconds = Number(configMap.data['SHUTDOWN_TIMEOUT_MS']) / 1000;
    expect(Number(pauseSeconds)).toBeGreaterThan(0);
    expect(drainSeconds).toBeGreaterThan(0);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(pauseSeconds) + drainSeconds);
  });

  it('wires its Service, HPA, PDB, ConfigMap and Secret to this Deployment', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const service = find<{ spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } }>(manifests, 'Service');
    for (const [key, value] of Object.entries(service.spec.selector)) expect(podLabels[key]).toBe(value);
    expect(service.spec.ports[0].targetPort).toBe('http');
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) expect(podLabels[key]).toBe(value);

    const hpa = find<{ spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number } }>(
      manifests,
      'HorizontalPodAutoscaler',
    );
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);

    const pdb = find<{ spec: { selector: { matchLabels: Record<string, string> } } }>(manifests, 'PodDisruptionBudget');
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[key]).toBe(value);

    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    for (const source of container.envFrom) {
      if (source.configMapRef) expect(names).toContain(`ConfigMap/${source.configMapRef.name}`);
      if (source.secretRef) expect(names).toContain(`Secret/${source.secretRef.name}`);
    }
  });

  it('keeps real secrets out of the Secret template', () => {
    const secret = find<{ stringData?: Record<string, string>; data?: Record<string, string> }>(manifests, 'Secret');
    expect(secret.data).toBeUndefined();
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toContain('REPLACE_ME');
  });
});
