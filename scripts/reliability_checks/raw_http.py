"""A tiny HTTP/1.1 client on raw sockets, so that malformed requests can be sent as they are."""

import json
import socket
import time


def exchange(address, raw, timeout=15.0):
    """Sends raw bytes, reads until the server closes; returns (status, headers, body, seconds)."""
    host, port = address.rsplit(":", 1)
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            chunks.append(data)
    took = time.monotonic() - started
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/"):
        return None, {}, response, took
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body, took


def request(address, method, path, body=None, headers=None, content_type="application/json"):
    headers = dict(headers or {})
    payload = b""
    if body is not None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        if content_type:
            headers.setdefault("Content-Type", content_type)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address}", "Connection: close",
             f"Content-Length: {len(payload)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
    return exchange(address, raw)


def mix(statuses):
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
