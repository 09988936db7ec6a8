import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@order-fulfillment/infra';

export const root = repoRoot();
export const APPS = ['api', 'order-worker', 'shipping-worker'] as const;
export type App = (typeof APPS)[number];
export const WORKERS: readonly App[] = ['order-worker', 'shipping-worker'];

export const dockerfilePath = (app: App): string => join(root, 'docker', `${app}.Dockerfile`);
export const allDockerfiles = (): string[] =>
  readdirSync(join(root, 'docker'))
    .filter((name) => name.endsWith('Dockerfile'))
    .map((name) => join(root, 'docker', name));
export const read = (path: string): string => readFileSync(path, 'utf8');
