// What the package's tests share: the synerise-auth binary (for keys and the independent
// verifier), fresh keys in temporary directories, and HTTP servers on free ports.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The binary: SYNERISE_AUTH_BIN, or the workspace's debug build. */
export function bin() {
  if (process.env.SYNERISE_AUTH_BIN) return process.env.SYNERISE_AUTH_BIN;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return join(root, 'target', 'debug', 'synerise-auth');
}

/** Runs `synerise-auth ARGS`; resolves with stdout, rejects with the exit code and stderr. */
export async function cli(args, options = {}) {
  const { stdout } = await run(bin(), args, { timeout: 60_000, ...options });
  return stdout;
}

/** Runs `synerise-auth ARGS` to its end, whatever its exit code: `{ code, stdout, stderr }`. */
export async function cliOutcome(args, options = {}) {
  try {
    const { stdout, stderr } = await run(bin(), args, { timeout: 60_000, ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

/** A fresh temporary directory, removed by the returned `cleanup`. */
export async function tempDir(t) {
  const dir = await mkdtemp(join(tmpdir(), 'synerise-auth-node-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A new 2048-bit RSA key, PKCS#8 PEM, as `synerise-auth keygen` writes it: DIR/private.pem. */
export async function keyFile(t) {
  const dir = await tempDir(t);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, 'private.pem');
  await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}

/** `synerise-auth verify --key KEY TOKEN`: the verified header and claims. */
export async function verifyWithCli(key, token) {
  return JSON.parse(await cli(['verify', '--key', key, token]));
}

/** Serves `handler` (node:http's request listener) on 127.0.0.1, a free port; closed after `t`. */
export async function listen(t, handler) {
  const server = createServer(handler);
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => new Promise((done) => server.close(done)));
  return `http://127.0.0.1:${server.address().port}`;
}
