"""Store faults: a full disk, a read-only data directory, a held SQLite write lock, and SIGKILL
while writes stream in: what each answers, how fast, and whether acknowledged writes survive."""

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from .raw_http import request
from .server import UUID, Server


def sign_up(server, email):
    return request(server.address, "POST", "/api/accounts",
                   {"email": email, "password": "a long enough password"})


def event(server, label):
    return request(server.address, "POST", "/gate/v1/events",
                   {"action": "page.visit", "label": label, "client": {"uuid": UUID}})


def describe(name, answers):
    parts = []
    for what, (status, headers, body, took) in answers:
        code = ""
        try:
            code = json.loads(body).get("code") or json.loads(body).get("reason") or ""
        except ValueError:
            pass
        retry = f", Retry-After {headers['retry-after']}" if "retry-after" in headers else ""
        parts.append(f"{what} {status} {code}{retry} in {took * 1000:.0f} ms")
    print(f"  {name}: " + "; ".join(parts))


def faults(tmp):
    if os.geteuid() != 0:
        print("- store faults: skipped (mounting a tmpfs needs root)")
        return True
    mount = tmp / "fault-mount"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    ok = True
    acknowledged = []
    try:
        server = Server(mount / "data").start()
        db = mount / "data" / "synerise-auth.db"

        def keep(answer, kind, name):
            if answer[0] in (201, 202):
                acknowledged.append((kind, name))
            return answer

        filler = mount / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"],
                       stderr=subprocess.DEVNULL, check=False)
        during = [("sign-up", keep(sign_up(server, "full1@example.com"), "account",
                                    "full1@example.com")),
                  ("gate event", keep(event(server, "full-1"), "event", "full-1")),
                  ("health", request(server.address, "GET", "/healthz"))]
        describe("disk full", during)
        ok &= all(a[0] == 503 and "retry-after" in a[1] for _, a in during[:2])
        filler.unlink()
        after = [("sign-up", keep(sign_up(server, "full2@example.com"), "account",
                                   "full2@example.com")),
                 ("gate event", keep(event(server, "full-2"), "event", "full-2"))]
        describe("space freed, no restart", after)
        ok &= all(a[0] in (201, 202) for _, a in after)

        holder = sqlite3.connect(db, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        during = [("sign-up", keep(sign_up(server, "lock1@example.com"), "account",
                                    "lock1@example.com")),
                  ("gate event", keep(event(server, "lock-1"), "event", "lock-1")),
                  ("token", request(server.address, "POST", "/generate-jwt",
                                    {"email": "a@example.com"},
                                    {"Authorization": "Bearer " + server.banner_value(
                                        "dev API key (Authorization: Bearer ...):")}))]
        describe("write lock held", during)
        ok &= all(a[0] == 503 and a[3] < 2 for _, a in during[:2]) and during[2][1][0] == 200
        holder.execute("ROLLBACK")
        holder.close()
        after = [("sign-up", keep(sign_up(server, "lock2@example.com"), "account",
                                   "lock2@example.com"))]
        describe("lock released, no restart", after)
        ok &= after[0][1][0] == 201
        server.stop()
        missing = missing_writes(db, acknowledged)
        print(f"  acknowledged writes: {len(acknowledged)}, missing after a clean stop: "
              f"{len(missing)}")
        ok &= not missing
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    return ok & read_only(tmp)


def read_only(tmp):
    """A data dir whose file system the kernel turns read-only under the server (as it does to a
    failing disk): an ext4 image mounted with errors=remount-ro, then told of an error."""
    image, mount = tmp / "disk.img", tmp / "ro-mount"
    mount.mkdir()
    steps = [["truncate", "-s", "16M", str(image)], ["mkfs.ext4", "-q", "-F", str(image)],
             ["mount", "-o", "loop,errors=remount-ro", str(image), str(mount)]]
    for step in steps:
        if subprocess.run(step, capture_output=True).returncode != 0:
            print(f"  read-only: skipped ({step[0]} failed: needs root, mkfs.ext4, loop devices)")
            return True
    ok = True
    acknowledged = []
    try:
        device = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(mount)], capture_output=True,
                                text=True).stdout.strip().removeprefix("/dev/")
        trigger = Path("/sys/fs/ext4") / device / "trigger_fs_error"
        server = Server(mount / "data").start()
        first = sign_up(server, "ro1@example.com")
        if first[0] == 201:
            acknowledged.append(("account", "ro1@example.com"))
        trigger.write_text("1")
        during = [("sign-up", sign_up(server, "ro2@example.com")),
                  ("gate event", event(server, "ro-1")),
                  ("gate log read", request(server.address, "GET", "/gate/v1/events?limit=5")),
                  ("health", request(server.address, "GET", "/healthz"))]
        describe("read-only file system", during)
        ok &= all(a[0] == 503 and "retry-after" in a[1] for _, a in during[:2])
        ok &= during[2][1][0] == 200 and during[3][1][0] == 200
        server.stop()
        subprocess.run(["umount", str(mount)], check=False)
        subprocess.run(["e2fsck", "-p", "-f", str(image)], capture_output=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(mount)], check=True)
        server = Server(mount / "data").start()
        after = [("sign-up", sign_up(server, "ro3@example.com"))]
        if after[0][1][0] == 201:
            acknowledged.append(("account", "ro3@example.com"))
        describe("remounted writable (a forced read-only ext4 needs a remount, so a restart)",
                 after)
        ok &= after[0][1][0] == 201
        server.stop()
        missing = missing_writes(mount / "data" / "synerise-auth.db", acknowledged)
        print(f"  acknowledged writes: {len(acknowledged)}, missing: {len(missing)}")
        ok &= not missing
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    return ok


def missing_writes(db, acknowledged):
    conn = sqlite3.connect(db)
    emails = {r[0] for r in conn.execute("SELECT email FROM accounts")}
    labels = {r[0] for r in conn.execute("SELECT label FROM gate_decisions")}
    conn.close()
    return [(kind, name) for kind, name in acknowledged
            if (kind == "account" and name not in emails) or (kind == "event" and name not in labels)]


# ---------------------------------------------------------------------------------------------
# 5. SIGKILL mid-stream.

def kill_mid_stream(tmp, rounds):
    data = tmp / "kill"
    acknowledged, lock = [], threading.Lock()
    lost_total = 0
    for round_ in range(rounds):
        server = Server(data, "[limits]\nsign_in_per_ip_per_minute = 0\n").start()
        stop = threading.Event()

        def writer(kind, n):
            i = 0
            while not stop.is_set() and i < 400:
                name = f"k{round_}-{n}-{i}"
                try:
                    if kind == "account":
                        answer = sign_up(server, f"{name}@example.com")
                        key = f"{name}@example.com"
                    else:
                        answer = event(server, name)
                        key = name
                except OSError:
                    return
                if answer[0] in (201, 202):
                    with lock:
                        acknowledged.append((kind, key))
                i += 1

        threads = [threading.Thread(target=writer, args=(k, n))
                   for n, k in enumerate(["account", "event", "event", "event"])]
        for t in threads:
            t.start()
        time.sleep(1.5 + round_ * 0.3)
        server.process.stop(signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
    server = Server(data).start()
    server.stop()
    missing = missing_writes(data / "synerise-auth.db", acknowledged)
    lost_total = len(missing)
    print(f"- SIGKILL {rounds} times while sign-ups and gate events stream in: "
          f"{len(acknowledged)} acknowledged writes, {lost_total} missing after restart")
    conn = sqlite3.connect(data / "synerise-auth.db")
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    print(f"  integrity_check: {integrity}")
    return lost_total == 0 and integrity == "ok"
