// POST /generate-jwt in node:http with jose: the contract of `synerise-auth serve`, written the way
// a careful JavaScript developer would, to stand next to it in bench/run.
//
// The primary process forks WEB_CONCURRENCY workers (2 by default, like the Flask anchor's 2
// gunicorn workers) with node:cluster; they share the listening socket. Each worker imports the
// key once at start and signs every request with it.
//
// Environment:
//   PORT                  port to listen on (required; 0 picks a free one)
//   HOST                  address to listen on (127.0.0.1)
//   JWT_PRIVATE_KEY_FILE  RSA private key, PEM (PKCS#8, or PKCS#1 which is converted once)
//   API_KEYS              accepted API keys, comma-separated (`Authorization: Bearer <key>`)
//   UUID_SALT             salt of the customer UUID: UUIDv5(URL namespace, salt + email)
//   TOKEN_TTL_SECS        token lifetime (604800: 7 days)
//   WEB_CONCURRENCY       workers (2)
//
// Prints `node peer listening on http://HOST:PORT` once every worker listens.

import cluster from 'node:cluster';
import { createHash, createPrivateKey, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { importPKCS8, SignJWT } from 'jose';
import { v5 as uuidv5, validate as uuidValidate } from 'uuid';

const BODY_LIMIT = 16 * 1024;
const MAX_EMAIL_LEN = 254;
const MAX_CONNECTIONS = 1024;

function fatal(message) {
  process.stderr.write(`node peer: ${message}\n`);
  process.exit(1);
}

function config() {
  const env = process.env;
  const port = Number.parseInt(env.PORT ?? '', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fatal('PORT must be a port number');
  const keyFile = env.JWT_PRIVATE_KEY_FILE;
  if (!keyFile) fatal('JWT_PRIVATE_KEY_FILE is not set');
  const apiKeys = (env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (apiKeys.length === 0) fatal('API_KEYS is not set');
  const salt = env.UUID_SALT ?? '';
  if (!salt) fatal('UUID_SALT is not set');
  const ttl = Number.parseInt(env.TOKEN_TTL_SECS ?? '604800', 10);
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 30 * 24 * 3600) {
    fatal('TOKEN_TTL_SECS must be between 60 and 2592000');
  }
  const workers = Number.parseInt(env.WEB_CONCURRENCY ?? '2', 10);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    fatal('WEB_CONCURRENCY must be between 1 and 64');
  }
  return { port, host: env.HOST || '127.0.0.1', keyFile, apiKeys, salt, ttl, workers };
}

// ---------------------------------------------------------------------------------------------
// The primary: forks the workers, replaces one that dies, stops them on SIGTERM/SIGINT.

function primary(cfg) {
  let listening = 0;
  let stopping = false;
  let restarts = 0;
  const fork = () => cluster.fork();
  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === cfg.workers) {
      process.stdout.write(`node peer listening on http://${cfg.host}:${address.port}\n`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    process.stderr.write(`node peer: worker ${worker.process.pid} exited (${signal ?? code})\n`);
    // A worker that cannot start (bad key) would be replaced forever: give up after a few.
    restarts += 1;
    if (restarts > 5 * cfg.workers) {
      process.stderr.write('node peer: too many worker restarts; stopping\n');
      process.exit(1);
    }
    fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    setTimeout(() => process.exit(0), 5000).unref();
    cluster.disconnect(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < cfg.workers; i += 1) fork();
}

// ---------------------------------------------------------------------------------------------
// A worker: the HTTP service.

class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const unauthorized = (code, message) =>
  new HttpError(401, code, message, { 'WWW-Authenticate': 'Bearer' });

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res, err) {
  if (err instanceof HttpError) {
    send(res, err.status, { error: err.message, code: err.code }, err.headers);
  } else {
    // Our fault: a fixed sentence for the client, the cause (never the request) in the log.
    process.stderr.write(`node peer: unexpected error: ${err?.stack ?? err}\n`);
    send(res, 500, { error: 'unexpected error', code: 'internal_error' });
  }
}

// SHA-256 digests of the accepted keys: comparing digests makes every comparison the same length,
// so timingSafeEqual applies and the time says nothing about the key's length or contents.
function apiKeyChecker(apiKeys) {
  const digest = (text) => createHash('sha256').update(text, 'utf8').digest();
  const accepted = apiKeys.map(digest);
  return (presented) => {
    const d = digest(presented);
    let ok = false;
    for (const a of accepted) ok = timingSafeEqual(a, d) || ok;
    return ok;
  };
}

function authenticate(req, isAccepted) {
  const value = req.headers.authorization;
  if (value === undefined) {
    throw unauthorized('missing_credentials', 'send `Authorization: Bearer <API key>`');
  }
  const m = /^\s*(\S+) +(.*)$/.exec(value);
  const credential = m ? m[2].trim() : '';
  if (!m || m[1].toLowerCase() !== 'bearer' || credential === '') {
    throw unauthorized(
      'invalid_authorization',
      'the Authorization header must be `Bearer <credential>`',
    );
  }
  if (!isAccepted(credential)) {
    throw unauthorized('invalid_credentials', 'the bearer credential is not valid');
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT) {
      reject(new HttpError(413, 'payload_too_large', 'request body too large'));
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        done = true;
        reject(new HttpError(413, 'payload_too_large', 'request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

function isJson(contentType) {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json');
}

// An empty body reads as {}; a non-empty one must be a JSON object sent as application/json.
function parseObject(req, body) {
  if (body.length === 0) return {};
  if (!isJson(req.headers['content-type'])) {
    throw new HttpError(415, 'unsupported_media_type', 'expected Content-Type: application/json');
  }
  let value;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'malformed_json', `the body is not valid JSON: ${e.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  }
  return value;
}

// name@example.com with a dotted domain of letters, digits and hyphens; the domain lower-cased.
const EMAIL = /^([^\s@"(),:;<>[\\\]]+)@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/i;

function parseEmail(value) {
  if (value === undefined || value === null) {
    throw new HttpError(400, 'missing_email', 'the body needs an `email`');
  }
  if (typeof value !== 'string') {
    throw new HttpError(400, 'invalid_email', '`email` must be a string');
  }
  const text = value.trim();
  if (text === '') throw new HttpError(400, 'invalid_email', 'invalid email: it is empty');
  if (Buffer.byteLength(text) > MAX_EMAIL_LEN) {
    throw new HttpError(400, 'invalid_email', 'invalid email: it is longer than 254 bytes');
  }
  const m = EMAIL.exec(text);
  if (!m || m[1].startsWith('.') || m[1].endsWith('.') || m[1].includes('..')) {
    throw new HttpError(400, 'invalid_email', 'invalid email: it is not of the form name@example.com');
  }
  return `${m[1]}@${m[2].toLowerCase()}`;
}

function parseUuid(value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !uuidValidate(value)) {
    throw new HttpError(400, 'invalid_uuid', '`uuid` must be a UUID string');
  }
  return value.toLowerCase();
}

// The signer of this peer: jose's SignJWT with the key imported once. `sign(email, uuid)` (uuid
// null: derived from the salt) resolves with the reply's `{jwt, uuid, expiresAt}`.
async function joseSigner(cfg) {
  let pem = readFileSync(cfg.keyFile, 'utf8');
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    // PKCS#1 ("BEGIN RSA PRIVATE KEY"): converted to PKCS#8 once, for importPKCS8.
    pem = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' });
  }
  const key = await importPKCS8(pem, 'RS256');
  return async (email, requestedUuid) => {
    const uuid = requestedUuid ?? uuidv5(cfg.salt + email, uuidv5.URL);
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + cfg.ttl;
    const jwt = await new SignJWT({ uuid, email })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
    const expiresAt = new Date(exp * 1000).toISOString().replace('.000Z', 'Z');
    return { jwt, uuid, expiresAt };
  };
}

async function worker(cfg, makeSigner) {
  const sign = await makeSigner(cfg);
  const isAccepted = apiKeyChecker(cfg.apiKeys);

  async function generateJwt(req, res) {
    authenticate(req, isAccepted);
    const body = parseObject(req, await readBody(req));
    const email = parseEmail(body.email);
    send(res, 200, await sign(email, parseUuid(body.uuid)));
  }

  const server = http.createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/generate-jwt') {
        if (req.method !== 'POST') {
          throw new HttpError(405, 'method_not_allowed', 'method not allowed', { Allow: 'POST' });
        }
        await generateJwt(req, res);
      } else if (path === '/healthz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          throw new HttpError(405, 'method_not_allowed', 'method not allowed', { Allow: 'GET, HEAD' });
        }
        send(res, 200, { status: 'ok' });
      } else {
        throw new HttpError(404, 'not_found', 'not found');
      }
    } catch (err) {
      // The rest of an over-long body is not read: the connection is closed after the reply.
      if (err instanceof HttpError && err.status === 413) err.headers.Connection = 'close';
      sendError(res, err);
    }
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.writableEnded) {
      const text = JSON.stringify({ error: 'bad request', code: 'bad_request' });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    } else {
      socket.destroy(err);
    }
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  server.listen(cfg.port, cfg.host);
}

/**
 * Runs the peer with `makeSigner(cfg)` as its signer: the primary forks the workers (running the
 * same script, which calls this again), each worker serves. bench/peers/node-addon runs the same
 * HTTP service with @synerise-auth/server's signer, so the two differ only in the signing.
 */
export function runPeer(makeSigner) {
  const cfg = config();
  if (cluster.isPrimary) {
    primary(cfg);
  } else {
    worker(cfg, makeSigner).catch((err) => fatal(`cannot start: ${err?.message ?? err}`));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runPeer(joseSigner);
