import { formatReport } from './check';
import { PHASES } from './drive';
import { formatMessageChecks } from './messages';
import type { Phase } from './drive';
import { MESSAGE_KINDS, WINDOWS } from './plan';
import type { ModeRun } from './run';

/** A mode's run as text: orders, where the messages landed, the invariant lines. */
export function summariseRun(run: ModeRun): string {
  const lines: string[] = [];
  lines.push(`== retry mode ${run.retryMode} (mode seed ${run.seed}), ${run.wallSeconds} s ==`);
  lines.push(`orders: posted ${run.posted}, accepted ${run.accepted}; final states ${JSON.stringify(run.report.byState)}`);
  if (run.notAccepted.length) lines.push(`not accepted: ${run.notAccepted.slice(0, 10).map((o) => `${o.orderId} (${o.status}: ${o.error ?? ''})`).join(', ')}`);
  lines.push(`settled in ${(run.settleMs / 1000).toFixed(1)} s; at the end ${run.unsettled.notTerminal} not terminal, ${run.unsettled.running} workflows running`);
  lines.push(`messages aimed at: ${WINDOWS.map((w) => `${w} ${run.targeted[w]}${run.skipped[w] ? ` (${run.skipped[w]} not sent: order over first)` : ''}`).join(', ')}`);
  lines.push("messages landed, by where the order was when each was sent (its history: the database's marks and the workflow's timeline); refused = taken too late:");
  lines.push(`  ${'window'.padEnd(18)} ${'sent'.padStart(5)} ${'accepted'.padStart(9)} ${'refused'.padStart(8)} ${'other'.padStart(6)}   ${MESSAGE_KINDS.map((k) => `${k} sent/accepted`).join('  ')}`);
  const rows: Array<Phase | 'near_deadline'> = [...PHASES, 'unknown', 'near_deadline'];
  for (const phase of rows) {
    const c = run.landed[phase];
    if (!c || (c.sent === 0 && phase === 'unknown')) continue;
    lines.push(
      `  ${phase.padEnd(18)} ${String(c.sent).padStart(5)} ${String(c.accepted).padStart(9)} ${String(c.refused).padStart(8)} ${String(c.other).padStart(6)}   ${MESSAGE_KINDS.map((k) => `${c.byKind[k].sent}/${c.byKind[k].accepted}`.padEnd(k.length + 15)).join('  ')}`,
    );
  }
  lines.push(formatReport(run.report));
  lines.push(formatMessageChecks(run.messageChecks));
  return lines.join('\n');
}
