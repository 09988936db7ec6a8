/**
 * Every Dockerfile passes hadolint with no finding at any level. An inline
 * `# hadolint ignore=DLxxxx` must say why on the same comment line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { globalArgs, parseDockerfile, runtimeOf } from './support/dockerfile';
import { APPS, WORKERS, allDockerfiles, dockerfilePath, read } from './support/repo';
import { HADOLINT, resolveTool } from './support/tools';

interface Finding {
  line: number;
  code: string;
  level: string;
  message: string;
}

function hadolint(file: string): Finding[] {
  // Exit status 1 means findings; they are in the JSON report either way.
  const result = spawnSync(resolveTool(HADOLINT), ['--no-color', '--format', 'json', file], { encoding: 'utf8' });
  if ((result.status !== 0 && result.status !== 1) || !result.stdout.trim().startsWith('[')) {
    throw new Error(`hadolint could not check ${file} (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout) as Finding[];
}

describe('Dockerfiles', () => {
  const files = allDockerfiles();

  it('there is one per app', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(APPS.map((app) => `${app}.Dockerfile`).sort());
  });

  it.each(files.map((f) => [basename(f), f]))('%s passes hadolint with no finding', (_name, file) => {
    expect(hadolint(file)).toEqual([]);
  });

  it.each(files.map((f) => [basename(f), f]))('%s explains every hadolint ignore', (_name, file) => {
    const unexplained = read(file)
      .split('\n')
      .filter((line) => /#\s*hadolint\s+ignore=/.test(line) && !/ignore=[\w,]+\s+\S.{9,}/.test(line));
    expect(unexplained).toEqual([]);
  });

  it('hadolint does report a bad Dockerfile (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadolint-'));
    try {
      const bad = join(dir, 'Dockerfile');
      writeFileSync(bad, 'FROM node\nRUN cd /app && npm install left-pad\nCMD node main.js\n');
      expect(hadolint(bad).map((f) => f.code)).toEqual(expect.arrayContaining(['DL3006', 'DL3003', 'DL3016', 'DL3025']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(APPS.map((app) => [app]))('%s image', (app) => {
    const text = read(dockerfilePath(app));
    const stages = parseDockerfile(text);
    const runtime = runtimeOf(stages);
    const runtimeStage = stages[stages.length - 1];

    it('runs on Debian slim Node 24 LTS, never Alpine, pinned by digest through the NODE_IMAGE build argument', () => {
      expect(globalArgs(text)['NODE_IMAGE']).toMatch(/^node:24\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
      expect(runtime.baseImage).toBe(globalArgs(text)['NODE_IMAGE']);
      expect(stages.filter((stage) => /alpine/i.test(stage.from))).toEqual([]);
    });

    it('runs as a non-root numeric user, so Kubernetes can verify runAsNonRoot', () => {
      expect(runtime.user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    });

    it("copies only what the app loads at run time (docker/runtime-deps.cjs), and installs nothing in the runtime stage", () => {
      expect(text).toContain(`node docker/runtime-deps.cjs apps/${app} /runtime`);
      expect(runtime.copiedFromStages).toEqual([{ stage: 'build', source: '/runtime/', target: './' }]);
      expect(runtimeStage.instructions.filter((i) => i.keyword === 'RUN')).toEqual([]);
      expect(runtime.env['NODE_ENV']).toBe('production');
    });

    it('starts node itself on the app build output (exec form)', () => {
      expect(runtime.cmd).toEqual(['node', `apps/${app}/dist/main.js`]);
    });
  });

  it('the three Dockerfiles use the same base', () => {
    expect(new Set(APPS.map((app) => globalArgs(read(dockerfilePath(app)))['NODE_IMAGE'])).size).toBe(1);
  });

  it.each(WORKERS.map((app) => [app]))('%s image builds the workflow bundle at image build time', (app) => {
    expect(read(dockerfilePath(app))).toContain(`node apps/${app}/dist/bundle-workflows.js`);
  });
});
