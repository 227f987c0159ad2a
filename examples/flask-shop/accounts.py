"""The shop's own customer accounts: an SQLite table of emails and password hashes (Werkzeug's
scrypt), as a shop with its own sign-in has. synerise-auth knows nothing of them: it is told who
is signed in, nothing more."""

from __future__ import annotations

import sqlite3
from typing import Optional

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

SCHEMA = "CREATE TABLE IF NOT EXISTS customers (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL)"


class Customer(UserMixin):
    def __init__(self, email: str) -> None:
        self.id = email
        self.email = email


class Accounts:
    def __init__(self, path: str) -> None:
        self.path = path
        with self._db() as db:
            db.execute(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def add(self, email: str, password: str) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO customers VALUES (?, ?)",
                       (email.strip().lower(), generate_password_hash(password)))

    def get(self, email: str) -> Optional[Customer]:
        with self._db() as db:
            row = db.execute("SELECT email FROM customers WHERE email = ?",
                             (email.strip().lower(),)).fetchone()
        return Customer(row[0]) if row else None

    def check(self, email: str, password: str) -> Optional[Customer]:
        with self._db() as db:
            row = db.execute("SELECT email, password_hash FROM customers WHERE email = ?",
                             (email.strip().lower(),)).fetchone()
        if row is None or not check_password_hash(row[1], password):
            return None
        return Customer(row[0])
