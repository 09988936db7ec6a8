import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, projectVenv, resolvePythonTool } from './python-tool';

const TOOL = { command: 'faketool', pathVariable: 'FAKETOOL_PATH', requirement: 'faketool-bin==1.0.0' };

describe('resolvePythonTool', () => {
  let dir: string;
  const executable = (path: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'python-tool-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the explicit path first, and refuses one that is not executable', () => {
    const explicit = executable(join(dir, 'custom', 'faketool'));
    executable(join(dir, 'bin', 'faketool'));
    expect(resolvePythonTool(TOOL, { root: dir, env: { FAKETOOL_PATH: explicit, PATH: join(dir, 'bin') } })).toBe(explicit);
    expect(() => resolvePythonTool(TOOL, { root: dir, env: { FAKETOOL_PATH: join(dir, 'missing') } })).toThrow(/FAKETOOL_PATH: .*missing is not an executable file/);
  });

  it('then the command on PATH, then the project venv', () => {
    const onPath = executable(join(dir, 'bin', 'faketool'));
    const inVenv = executable(join(projectVenv(dir), 'bin', 'faketool'));
    expect(resolvePythonTool(TOOL, { root: dir, env: { PATH: `/nonexistent:${join(dir, 'bin')}` } })).toBe(onPath);
    expect(findOnPath('faketool', join(dir, 'bin'))).toBe(onPath);
    expect(resolvePythonTool(TOOL, { root: dir, env: { PATH: '/nonexistent' } })).toBe(inVenv);
  });

  it('says how to get the tool when it may not install it', () => {
    expect(() => resolvePythonTool(TOOL, { root: dir, env: { PATH: '/nonexistent' }, install: false })).toThrow(
      'faketool not found: set FAKETOOL_PATH, put `faketool` on PATH, or pip install faketool-bin==1.0.0',
    );
    expect(() => resolvePythonTool(TOOL, { root: dir, env: { PATH: '/nonexistent' } })).toThrow(/python3 is missing to install it/);
  });
});
