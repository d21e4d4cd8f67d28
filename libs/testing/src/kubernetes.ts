import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from './workspace';

/**
 * The environment an app's Deployment gives its container: the ConfigMap's data plus the Secret's
 * values (k8s/<app>/configmap.yaml and secret.yaml). The Secret is a template of placeholders, so a test
 * passes realistic stand-ins for the secrets whose format the config checks (a PEM key, say).
 */
export function kubernetesEnv(app: string, secretStandIns: Record<string, string> = {}): Record<string, string> {
  const read = (file: string) => parse(readFileSync(path.join(workspaceRoot, 'k8s', app, file), 'utf8')) as Record<string, unknown>;
  const configMap = (read('configmap.yaml')['data'] ?? {}) as Record<string, string>;
  const secret = (read('secret.yaml')['stringData'] ?? {}) as Record<string, string>;
  for (const key of Object.keys(secretStandIns)) {
    if (!(key in secret)) throw new Error(`k8s/${app}/secret.yaml has no ${key}`);
  }
  return { ...configMap, ...secret, ...secretStandIns };
}
