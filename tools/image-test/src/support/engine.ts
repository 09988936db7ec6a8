/**
 * The OCI engine that built the images (scripts/images/build.sh wrote which,
 * and with what global arguments, to .tools/images/build.json), and what these
 * tests ask of it: run a container read-only as the image's own user, read its
 * state and logs, stop it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const APPS = ['api', 'order-worker', 'shipping-worker'] as const;
export type App = (typeof APPS)[number];
export const WORKERS: readonly App[] = ['order-worker', 'shipping-worker'];

export interface BuildInfo {
  engine: 'docker' | 'podman';
  engineArgs: string[];
  base: string;
  baseSource: 'pinned' | 'standin';
  baseSeconds: number;
  images: Record<App, string>;
  buildSeconds: Record<App, number>;
}

export function buildInfo(): BuildInfo {
  const file = process.env['IMAGE_TEST_BUILD'];
  if (!file) throw new Error('IMAGE_TEST_BUILD is not set: the image-test global setup did not run');
  return JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
}

export class Engine {
  constructor(private readonly info: BuildInfo) {}

  /** Runs the engine; throws with its output unless it exits 0. */
  run(args: string[], timeoutMs = 120_000): string {
    const result = spawnSync(this.info.engine, [...this.info.engineArgs, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`${this.info.engine} ${args.join(' ')}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${this.info.engine} ${args.slice(0, 3).join(' ')} … exited ${result.status}: ${result.stderr}${result.stdout}`.slice(0, 4_000));
    return result.stdout;
  }

  /** The flags that make a container as Kubernetes runs ours: read-only root, a writable /tmp; the host's network (for the test's ports) unless told otherwise. */
  readOnlyFlags(network: 'host' | 'none' = 'host'): string[] {
    // podman mounts tmpfs on /tmp, /var/tmp and /run of a read-only container by itself; Docker does not. Be explicit for both.
    return ['--read-only', ...(this.info.engine === 'podman' ? ['--read-only-tmpfs=false'] : []), '--tmpfs', '/tmp:rw,size=64m', '--network', network];
  }

  inspect<T>(target: string, format: string): T {
    return JSON.parse(this.run(['inspect', '--format', `{{json ${format}}}`, target]).trim()) as T;
  }

  imageSize(image: string): number {
    return Number(this.run(['image', 'inspect', '--format', '{{.Size}}', image]).trim());
  }

  logs(container: string): string {
    const result = spawnSync(this.info.engine, [...this.info.engineArgs, 'logs', container], { encoding: 'utf8', timeout: 30_000 });
    return `${result.stdout ?? ''}${result.stderr ?? ''}`;
  }

  running(container: string): boolean {
    return this.inspect<boolean>(container, '.State.Running');
  }

  exitCode(container: string): number {
    return this.inspect<number>(container, '.State.ExitCode');
  }

  remove(container: string): void {
    spawnSync(this.info.engine, [...this.info.engineArgs, 'rm', '--force', container], { timeout: 60_000 });
  }
}
