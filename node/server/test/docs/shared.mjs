// What the documentation's end-to-end tests share: a free port, waiting for a server to answer,
// and `synerise-auth check-endpoint` run against a token route with a signed-in customer's cookie.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A port free on 127.0.0.1 just now. */
export const freePort = () =>
  new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

/** `node ARGS` in `cwd` with `env`, its stdout and stderr gathered in `output` for error messages. */
export function startNode(args, { cwd, env }) {
  const output = [];
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (d) => output.push(d));
  child.stderr.setEncoding('utf8').on('data', (d) => output.push(d));
  return { child, output };
}

/** Resolves with the first answer from `url`; throws when `child` exits first or `seconds` pass. */
export async function waitForHttp(url, child, output, seconds = 20) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output.join('')}`);
    try {
      return await fetch(url, { method: 'GET' });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the server did not answer on ${url} within ${seconds} s:\n${output.join('')}`);
}

/** The first fenced block of `lang` in `doc` whose first line is `firstLine`. */
export function codeBlock(doc, lang, firstLine) {
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf(`\`\`\`${lang}\n${firstLine}\n`);
  if (start < 0) throw new Error(`${doc} has no ${lang} block starting with ${firstLine}`);
  const body = text.slice(start + lang.length + 4);
  return body.slice(0, body.indexOf('```'));
}

/**
 * `synerise-auth check-endpoint URL` for a customer signed in by `cookie`, with the project's
 * keys/public.pem and salt: its summary line, or an error with its output and the server's.
 */
export function checkEndpoint({ bin, url, project, email, cookie, output, what }) {
  try {
    const checked = execFileSync(bin, [
      'check-endpoint', url,
      '--public-key', join(project, 'keys', 'public.pem'),
      '--salt-file', join(project, 'salt'),
      '--expect-email', email,
      '--header', `Cookie: ${cookie}`,
    ], { encoding: 'utf8' });
    return checked.trim().split('\n').pop();
  } catch (error) {
    throw new Error(`${what}: check-endpoint failed:\n${error.stdout}${error.stderr}\nserver:\n${output.join('')}`);
  }
}
