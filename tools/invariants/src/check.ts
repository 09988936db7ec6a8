/**
 * `checkInvariants({ db, temporal, orderIds })`: the invariant check as a
 * library call, for this tool's randomized run and for any other test that
 * drives orders (chaos, scale) and wants the same verdict.
 */
import type { Client } from '@temporalio/client';
import type { OrderEvidence } from './evidence';
import { loadDatabaseEvidence, loadWorkflowEvidence, mapLimit } from './load';
import type { Queryable } from './load';
import { evaluate } from './rules';
import type { InvariantReport } from './rules';

export interface CheckOptions {
  /** The order tables' database (and its `sandbox` ledgers, when they exist). */
  db: Queryable;
  /** A client of the Temporal the orders ran on; null checks the database only. */
  temporal: Client | null;
  /** The accepted orders (every 201): each must be terminal and consistent. */
  orderIds: readonly string[];
  /** Temporal reads in flight at once (default 16). */
  concurrency?: number;
}

export interface CheckResult {
  report: InvariantReport;
  /** Everything the verdict was based on, per order. */
  evidence: OrderEvidence[];
}

export async function checkInvariants(options: CheckOptions): Promise<CheckResult> {
  const { db, temporal, orderIds } = options;
  const fromDb = await loadDatabaseEvidence(db, orderIds);
  const workflows = temporal ? await mapLimit(orderIds, options.concurrency ?? 16, (id) => loadWorkflowEvidence(temporal, id)) : null;
  const evidence: OrderEvidence[] = orderIds.map((orderId, i) => {
    const row = fromDb.orders.get(orderId);
    if (!row) throw new Error(`checkInvariants: no evidence for ${orderId}`);
    return { ...row, workflow: workflows?.[i] ?? null };
  });
  const report = evaluate(evidence, { ...fromDb.sources, temporal: temporal !== null });
  return { report, evidence };
}

/**
 * The report as text: the notes, then one line per invariant,
 * `invariant: <name> orders: N violations: N`, each followed by its violators.
 */
export function formatReport(report: InvariantReport, options: { maxViolators?: number } = {}): string {
  const max = options.maxViolators ?? 50;
  const lines: string[] = [];
  for (const note of report.notes) lines.push(`note: ${note}`);
  for (const inv of report.invariants) {
    lines.push(`invariant: ${inv.name} orders: ${inv.orders} violations: ${inv.violations.length}`);
    for (const v of inv.violations.slice(0, max)) lines.push(`  ${v.orderId}: ${v.why.join('; ')}`);
    if (inv.violations.length > max) lines.push(`  ... and ${inv.violations.length - max} more (see the JSON report)`);
  }
  lines.push(`double-charged orders: ${report.doubleCharged.length}${ids(report.doubleCharged, max)}`);
  lines.push(`shipped-unpaid orders: ${report.shippedUnpaid.length}${ids(report.shippedUnpaid, max)}`);
  if (report.sources.lateColumn) lines.push(`late orders (completed after the deadline, flagged): ${report.late.length}`);
  return lines.join('\n');
}

const ids = (list: string[], max: number): string => (list.length ? ` (${list.slice(0, max).join(', ')}${list.length > max ? ', ...' : ''})` : '');
