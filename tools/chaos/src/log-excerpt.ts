import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What each app's log says went wrong: its lines that are not pino records
 * (what an app prints as it exits, a runtime's panic) and its error and fatal
 * records, the last `perFile` of them per log.
 */
export function logExcerpt(logsDir: string, perFile = 15): string[] {
  const out: string[] = [];
  for (const file of readdirSync(logsDir).filter((f) => f.endsWith('.log') && !f.startsWith('temporal')).sort()) {
    const telling = readFileSync(join(logsDir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && (!line.startsWith('{') || /"level":(50|60)\b/.test(line)));
    if (telling.length === 0) continue;
    out.push(`${file}: its last ${Math.min(perFile, telling.length)} of ${telling.length} error lines:`);
    for (const line of telling.slice(-perFile)) out.push(`  ${line.length > 400 ? `${line.slice(0, 400)} ...` : line}`);
  }
  return out;
}
