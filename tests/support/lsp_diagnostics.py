#!/usr/bin/env python3
"""Open YAML files in a YAML language server and print the diagnostics it
publishes, as JSON {path: [[line, column, message], ...]} (1-based).

usage: lsp_diagnostics.py SERVER ROOT FILE...   (SERVER: yaml-language-server)
Used by tests/editor.rs to show that the README's editor setup works."""
import json
import os
import select
import subprocess
import sys
import time

server, root, files = sys.argv[1], sys.argv[2], sys.argv[3:]
proc = subprocess.Popen([server, "--stdio"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
buf = b""


def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(seconds):
    """Messages the server sends within `seconds`."""
    global buf
    end, out = time.time() + seconds, []
    while time.time() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
        while b"\r\n\r\n" in buf:
            head, rest = buf.split(b"\r\n\r\n", 1)
            length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length"))
            if len(rest) < length:
                break
            out.append(json.loads(rest[:length]))
            buf = rest[length:]
    return out


root_uri = "file://" + os.path.abspath(root)
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": root_uri, "capabilities": {},
                 "workspaceFolders": [{"uri": root_uri, "name": "t"}]}})
receive(3)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
      "params": {"settings": {"yaml": {"validate": True,
                                       "schemaStore": {"enable": False}}}}})
uris = {}
for path in files:
    path = os.path.abspath(path)
    uris["file://" + path] = path
    with open(path) as f:
        text = f.read()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": "file://" + path, "languageId": "yaml",
                                      "version": 1, "text": text}}})
found = {}
deadline = time.time() + 30
while time.time() < deadline and len(found) < len(uris):
    for m in receive(1):
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] in uris:
            found[uris[m["params"]["uri"]]] = [
                [d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1,
                 d["message"]] for d in m["params"]["diagnostics"]]
proc.kill()
json.dump(found, sys.stdout)
