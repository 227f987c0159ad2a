// @vitest-environment node
// The built files, as a shop downloads them: the size budget, and the integrity hash and sizes that
// docs/integrate.md gives, which must be those of this build. Needs `npm run build` first.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

// Vitest runs from web/ (its root).
const web = process.cwd();
const built = (path: string) => {
  const file = resolve(web, path);
  if (!existsSync(file)) throw new Error(`${path} is missing: run \`npm run build\` in web/ first.`);
  return readFileSync(file);
};
const readme = readFileSync(resolve(web, '..', 'docs', 'integrate.md'), 'utf8');
const version = (JSON.parse(readFileSync(resolve(web, 'packages/browser/package.json'), 'utf8')) as { version: string }).version;

/** Gzipped at the default level, as a web server compresses on the fly. */
const gzipped = (path: string) => gzipSync(built(path)).length;
const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;

// The core was 4 kB until it learned to talk to any token endpoint (another origin's credentials,
// headers from a callback, sign-out without a server call, signedOut() for every tab): 0.2 kB more.
const BUDGETS: [string, string, number][] = [
  ['the core package (ES module)', 'packages/browser/dist/index.js', 4300],
  ['the core as one script (window.SyneriseAuth)', 'packages/browser/dist/synerise-auth.js', 4300],
  ['the React package, React excluded', 'packages/react/dist/index.js', 2000],
];

describe('the built packages', () => {
  it.each(BUDGETS)('keep %s within its gzipped budget, as docs/integrate.md says', (what, path, budget) => {
    const size = gzipped(path);
    expect(size, `${what}: ${size} bytes gzipped`).toBeLessThanOrEqual(budget);
    // docs/integrate.md states the measured size (kB = 1000 bytes, two decimals).
    expect(readme, `docs/integrate.md should say ${kB(size)} for ${path}`).toContain(`| \`${path.replace('packages/', '')}\` | ${kB(size)} |`);
  });

  it('keep React out of the React package', () => {
    const source = built('packages/react/dist/index.js').toString();
    expect(source).toMatch(/from"react"|from "react"/);
    expect(source).not.toContain('react.production');
    expect(source).not.toContain('function createSyneriseAuth');
  });

  it('serve the script docs/integrate.md gives the integrity hash of', () => {
    const script = built('packages/browser/dist/synerise-auth.js');
    // The demo's build copies it where the service embeds it, under both names.
    expect(built('dist/sdk/synerise-auth.js').equals(script)).toBe(true);
    expect(built(`dist/sdk/synerise-auth-${version}.js`).equals(script)).toBe(true);
    const integrity = `sha384-${createHash('sha384').update(script).digest('base64')}`;
    expect(readme, `docs/integrate.md should show integrity="${integrity}"`).toContain(
      `src="https://auth.shop.example/sdk/synerise-auth-${version}.js" integrity="${integrity}"`,
    );
  });
});
