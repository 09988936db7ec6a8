/**
 * Renders Kustomize directories with `kubectl kustomize` (offline) and
 * validates each object against the Kubernetes OpenAPI schemas shipped by the
 * npm packages kubernetes-models (core API groups), @kubernetes-models/keda and
 * @kubernetes-models/prometheus-operator.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBECTL, resolveTool } from './tools';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects of any kind, inspected by tests
  [key: string]: any;
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function kustomize(dir: string): K8sObject[] {
  return parseObjects(execFileSync(resolveTool(KUBECTL), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Renders `base` with `components` added, as an overlay that lists them would. */
export function kustomizeWithComponents(base: string, components: string[]): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
  try {
    // Kustomize wants relative paths to other kustomizations.
    const rel = (path: string) => JSON.stringify(relative(dir, path));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${rel(base)}]\ncomponents: [${components.map(rel).join(', ')}]\n`,
    );
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The schema module of an apiVersion/kind, or null when none is known. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Throws with the object's name and every schema error when it is not valid. */
export function validateObject(object: K8sObject): void {
  const id = `${object.kind}/${object.metadata?.name}`;
  let model: { validate(): void };
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = (require(modelModule(object.apiVersion, object.kind)) as Record<string, new (data: unknown) => { validate(): void }>)[object.kind];
  } catch {
    throw new Error(`${id}: no schema known for ${object.apiVersion} ${object.kind}`);
  }
  if (!Model) throw new Error(`${id}: no schema known for ${object.apiVersion} ${object.kind}`);
  try {
    model = new Model(object);
    model.validate();
  } catch (err) {
    throw new Error(`${id} (${object.apiVersion}) is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
