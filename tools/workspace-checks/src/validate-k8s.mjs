// Validates Kubernetes manifests (a JSON array on stdin) against the API schemas shipped in kubernetes-models
// and prints one { resource, error } per manifest. A plain Node process: kubernetes-models is ESM-only.
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as policy from 'kubernetes-models/policy/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';

const groups = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'autoscaling/v2': autoscaling,
  'policy/v1': policy,
  'networking.k8s.io/v1': networking,
};

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((manifest) => {
  const resource = `${manifest.apiVersion}/${manifest.kind}/${manifest.metadata?.name}`;
  const Model = groups[manifest.apiVersion]?.[manifest.kind];
  if (!Model) return { resource, error: `unknown apiVersion/kind ${manifest.apiVersion}/${manifest.kind}` };
  try {
    new Model(manifest).validate();
    return { resource, error: null };
  } catch (error) {
    return { resource, error: error.message };
  }
});
process.stdout.write(JSON.stringify(results));
