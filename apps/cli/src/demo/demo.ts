/**
 * `order demo`: runs every scenario against the running stack at once, prints
 * each as it ends, then a summary table of what each expected and what
 * happened. Exits 1 if any scenario did not end as expected.
 */
import { ApiError, NetworkError } from '../api';
import { intOption } from '../args';
import type { Verb } from '../commands/context';
import { EXIT } from '../exit-codes';
import { seconds, table } from '../output';
import { DemoContext, OrderIds, SCENARIOS, Scenario, ScenarioError } from './scenarios';

export interface ScenarioReport {
  key: string;
  title: string;
  expected: string;
  happened: string;
  ok: boolean;
  orders: string[];
  durationMs: number;
}

export const demo: Verb = {
  name: 'demo',
  summary: 'run the showcase against the running stack and print what each scenario expected and got',
  positionals: [],
  options: [
    { name: 'batch', type: 'string', value: '<n>', description: 'orders in the fault batch per retry mode (1-50, default 10)' },
    { name: 'seed', type: 'string', value: '<n>', description: 'first fault seed of the batch; order i uses seed+i (default 1)' },
    { name: 'timeout', type: 'string', value: '<s>', description: 'give up on unfinished scenarios after s seconds (default 55)' },
  ],
  details: [
    'Scenarios (the first five at once, then the batch): a happy order; one cancelled in review; one cancelled after payment (refunded);',
    'an address change used at dispatch; a declined dispatch recovered by a second shipment; a batch under the',
    "exercise's fault rates (1/3 of calls fail, 1/3 hang), once in deadline mode and once in seed mode, side by side on the",
    'same faults. Order ids are unique per run (demo-<run>-<scenario>).',
    'Needs an API started with ALLOW_FAULT_INJECTION=true (./scripts/quick-start.sh does that).',
    'Exits 0 when every scenario ended as expected, 1 otherwise.',
  ],
  examples: ['order demo', 'order demo --batch 20 --seed 42', 'order demo --json | jq .passed'],
  async run({ api, out, values, signal }) {
    const batchSize = intOption(values, 'batch', 'demo', { min: 1, max: 50 }) ?? 10;
    const seed = intOption(values, 'seed', 'demo', { min: 0, max: 2 ** 31 }) ?? 1;
    const timeoutS = intOption(values, 'timeout', 'demo', { min: 5, max: 3600 }) ?? 55;
    const started = Date.now();
    const runId = `${started.toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const ctx: DemoContext = { api, runId, deadlineAt: started + timeoutS * 1000, signal, pollMs: 100, batchSize, seed };

    // Fail fast, with the API's own words, when the API is not there or refuses us.
    await api.listOrders({ limit: 1 });
    if (!out.json) {
      out.line(out.paint.bold(`order demo: ${SCENARIOS.length} scenarios against ${api.baseUrl} (run ${runId})`));
      out.line('');
    }

    let done = 0;
    const runScenario = async (scenario: Scenario): Promise<ScenarioReport> => {
      const ids = new OrderIds(runId, scenario.key);
      const t0 = Date.now();
      let outcome: { ok: boolean; happened: string };
      try {
        outcome = await scenario.run(ctx, ids);
      } catch (err) {
        if (signal.aborted) throw err;
        outcome = { ok: false, happened: failureText(err) };
      }
      const report = { key: scenario.key, title: scenario.title, expected: scenario.expected, ...outcome, orders: ids.used, durationMs: Date.now() - t0 };
      done++;
      if (!out.json) {
        const mark = report.ok ? out.paint.green('✔') : out.paint.red('✘');
        out.line(`${mark} ${report.title} ${out.paint.dim(`(${done}/${SCENARIOS.length}, ${seconds(report.durationMs)})`)}: ${report.happened}`);
      }
      return report;
    };
    const first = await Promise.all(SCENARIOS.filter((s) => !s.last).map(runScenario));
    const then = await Promise.all(SCENARIOS.filter((s) => s.last).map(runScenario));
    const byKey = new Map([...first, ...then].map((r) => [r.key, r]));
    const reports = SCENARIOS.map((s) => byKey.get(s.key) as ScenarioReport);

    const passed = reports.every((r) => r.ok);
    const durationMs = Date.now() - started;
    if (out.json) {
      out.data({ runId, api: api.baseUrl, passed, durationMs, scenarios: reports });
    } else {
      out.line('');
      const rows = reports.map((r, i) => [String(i + 1), r.title, r.expected, r.happened, r.ok ? out.paint.green('PASS') : out.paint.red('FAIL')]);
      for (const line of table(['#', 'scenario', 'expected', 'happened', 'result'], rows, { maxWidths: { 1: 22, 2: 36, 3: 52 }, header: out.paint.bold })) {
        out.line(line);
      }
      out.line('');
      const failed = reports.filter((r) => !r.ok).length;
      const verdict = passed ? out.paint.green('every scenario ended as expected') : out.paint.red(`${failed} of ${reports.length} scenarios did not end as expected`);
      out.line(`${verdict} (${seconds(durationMs)}); orders: order list, or order status demo-${runId}-<scenario>`);
    }
    return passed ? EXIT.ok : EXIT.failure;
  },
};

function failureText(err: unknown): string {
  if (err instanceof ScenarioError || err instanceof NetworkError) return err.message;
  if (err instanceof ApiError) {
    const fields = err.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    return `the API answered ${err.status}: ${err.message}${fields ? ` (${fields})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
