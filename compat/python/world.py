"""What every Python compatibility script shares: localgram's control API (direct, on
127.0.0.1) to set up the world, and a webhook receiver that checks Meta's signature.

The control API is not part of Meta's API: it plays everyone but the app (accounts, people,
the clock, the next login). The clients under test never call it."""

import hashlib
import hmac
import json
import os
import queue
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = os.environ["LOCALGRAM"]  # e.g. http://127.0.0.1:4100, never through a proxy
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def control(path, body=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{BASE}/_localgram{path}",
        data=data,
        method=method or ("POST" if data is not None else "GET"),
        headers={"content-type": "application/json"},
    )
    try:
        with _direct.open(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"control API {path}: {error.code} {error.read().decode()}") from None


def world(username):
    """An app with Advanced Access, a BUSINESS account linked to a Page, and a person. The
    pid keeps names unique when a script runs twice against one server."""
    username = f"{username}_{os.getpid()}"
    app = control("/apps", {"name": f"compat {username}", "redirect_uris": ["https://app.example/cb"],
                            "access_level": "advanced"})
    account = control("/accounts", {"username": username, "name": username.title(),
                                    "account_type": "BUSINESS", "followers_count": 321,
                                    "facebook_page": True})
    person = control("/people", {"username": f"{username}_fan", "name": "A Fan"})
    return app, account, person


def token(app, account, login, scopes=None):
    body = {"app_id": app["id"], "account_id": account["id"], "login": login, "long_lived": True}
    if scopes:
        body["scopes"] = scopes
    return control("/tokens", body)["access_token"]


def jpeg(width=1080, height=1350):
    return control("/files", {"kind": "jpeg", "width": width, "height": height})["url"]


def mp4(seconds=5):
    return control("/files", {"kind": "mp4", "duration_ms": seconds * 1000, "width": 720, "height": 1280})["url"]


def advance(seconds):
    return control("/clock", {"advance_seconds": seconds})


class Receiver:
    """A webhook callback: answers Meta's verification request (hub.challenge) and accepts a
    notification only if X-Hub-Signature-256 is HMAC-SHA256(app secret, body)."""

    def __init__(self, secret, verify_token="compat-token"):
        self.secret = secret.encode()
        self.verify_token = verify_token
        self.received = queue.Queue()
        self.rejected = []
        self.skipped = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == receiver.verify_token:
                    body = query.get("hub.challenge", "").encode()
                    self.send_response(200)
                else:
                    body = b"bad verify token"
                    self.send_response(403)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                expected = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                signature = self.headers.get("x-hub-signature-256", "")
                if hmac.compare_digest(expected, signature):
                    receiver.received.put(json.loads(body))
                    self.send_response(200)
                else:
                    receiver.rejected.append(signature)
                    self.send_response(403)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, kind, timeout=20):
        """The next verified notification whose entry has `kind` (a `changes` field name, or
        "messaging"); others before it (the app's own reply's comment event) are passed over."""
        while True:
            event = self.received.get(timeout=timeout)
            entry = event["entry"][0]
            if kind == "messaging" and "messaging" in entry:
                return event
            if any(c.get("field") == kind for c in entry.get("changes", [])):
                return event
            self.skipped.append(event)

    def close(self):
        assert not self.rejected, f"notifications with a bad signature: {self.rejected}"
        self.server.shutdown()


def check(condition, message):
    if not condition:
        raise AssertionError(message)
