// The Node peer's service with nothing signed: every request goes through the same node:http
// server, workers, API-key check, body parsing and validation as server.js, and is answered with
// our last reply (the JSON file FLOOR_REPLY names, written by bench/run). bench/run's Node floor:
// a signer's row above it is what its signing costs in Node.
//
// Environment: as server.js, plus FLOOR_REPLY. Prints `node peer listening on http://HOST:PORT`.
import { readFileSync } from 'node:fs';

import { runPeer } from './server.js';

const reply = JSON.parse(readFileSync(process.env.FLOOR_REPLY ?? '', 'utf8'));

runPeer(() => async () => reply);
