/**
 * The Chromium that the browser test drives (Debian's `chromium` package).
 * CHROMIUM_PATH overrides /usr/bin/chromium. When it is missing and we are
 * root on a Debian-like machine (CI, a fresh dev box), it is installed with
 * apt-get, so `npm test` works on a fresh machine; E2E_INSTALL_CHROMIUM=false
 * turns that off. Otherwise the test fails saying exactly what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const mayInstall = process.env['E2E_INSTALL_CHROMIUM'] !== 'false' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (mayInstall && path === '/usr/bin/chromium') {
    process.stderr.write('[e2e] /usr/bin/chromium is missing: installing Debian\'s chromium package (apt-get) for the /docs browser test\n');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit', timeout: 900_000 });
    if (existsSync(path)) return path;
  }
  throw new Error(
    `The /docs browser test needs Chromium at ${path}, and it is not there. ` +
      'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}
