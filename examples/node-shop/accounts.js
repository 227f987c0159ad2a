// The shop's own customer accounts: email and an argon2id password hash, kept in a JSON file.
// A real shop has its own table for this; synerise-auth never sees a password.
import { readFile, writeFile, rename } from 'node:fs/promises';

import { hash, verify } from '@node-rs/argon2';

/** Compared against when the email is unknown, so that a wrong email costs what a wrong password does. */
const DUMMY_HASH = await hash('no account has this password');

export class Accounts {
  #file;

  constructor(file) {
    this.#file = file;
  }

  async #load() {
    try {
      return JSON.parse(await readFile(this.#file, 'utf8'));
    } catch (error) {
      if (error.code === 'ENOENT') return {};
      throw error;
    }
  }

  /** Adds (or replaces) a customer. */
  async add(email, password) {
    const accounts = await this.#load();
    accounts[email.trim().toLowerCase()] = await hash(password);
    await writeFile(`${this.#file}.tmp`, JSON.stringify(accounts, null, 2), { mode: 0o600 });
    await rename(`${this.#file}.tmp`, this.#file);
  }

  /** The customer's email when the password is theirs, otherwise null. */
  async check(email, password) {
    const key = String(email ?? '').trim().toLowerCase();
    const stored = (await this.#load())[key];
    const ok = await verify(stored ?? DUMMY_HASH, String(password ?? ''));
    return ok && stored ? key : null;
  }
}
