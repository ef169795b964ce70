// What every Node compatibility script shares: localgram's control API (direct, on
// 127.0.0.1, never through a proxy) to set up the world, and a webhook receiver that checks
// Meta's X-Hub-Signature-256. The clients under test never call the control API.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const BASE = process.env.LOCALGRAM; // e.g. http://127.0.0.1:4100

// node:http without an agent ignores every proxy variable, whatever the Node version.
function control(path, body) {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const url = new URL(`${BASE}/_localgram${path}`);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: data ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) },
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (response.statusCode !== 200) reject(new Error(`control API ${path}: ${response.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    request.on('error', reject);
    request.end(data);
  });
}

async function world(username) {
  username = `${username}_${process.pid}`;
  const app = await control('/apps', { name: `compat ${username}`, redirect_uris: ['https://app.example/cb'], access_level: 'advanced' });
  const account = await control('/accounts', { username, name: username, account_type: 'BUSINESS', followers_count: 321, facebook_page: true });
  const person = await control('/people', { username: `${username}_fan`, name: 'A Fan' });
  return { app, account, person };
}

async function token(app, account, login, scopes) {
  const body = { app_id: app.id, account_id: account.id, login, long_lived: true };
  if (scopes) body.scopes = scopes;
  return (await control('/tokens', body)).access_token;
}

const jpeg = async () => (await control('/files', { kind: 'jpeg', width: 1080, height: 1350 })).url;
const mp4 = async () => (await control('/files', { kind: 'mp4', duration_ms: 5000, width: 720, height: 1280 })).url;
const advance = (seconds) => control('/clock', { advance_seconds: seconds });

function check(condition, message) {
  if (!condition) throw new Error(typeof message === 'string' ? message : JSON.stringify(message));
}

// A webhook callback: answers the verification request and accepts a notification only if
// X-Hub-Signature-256 is HMAC-SHA256(app secret, raw body).
class Receiver {
  constructor(secret, verifyToken = 'compat-token') {
    this.verifyToken = verifyToken;
    this.events = [];
    this.waiting = [];
    this.rejected = [];
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (req.method === 'GET') {
        const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
        res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'bad verify token');
        return;
      }
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
        const got = req.headers['x-hub-signature-256'] || '';
        if (got.length === expected.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected))) {
          this.events.push(JSON.parse(body));
          this.waiting.splice(0).forEach((wake) => wake());
          res.writeHead(200).end();
        } else {
          this.rejected.push(got);
          res.writeHead(403).end();
        }
      });
    });
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}/webhooks`;
    return this;
  }

  // The next verified notification with a `changes` entry of this field, or "messaging".
  async next(kind, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => {
        const entry = e.entry[0];
        return kind === 'messaging' ? Boolean(entry.messaging) : (entry.changes || []).some((c) => c.field === kind);
      });
      if (index >= 0) return this.events.splice(index, 1)[0];
      check(Date.now() < deadline, `no ${kind} notification within ${timeoutMs} ms`);
      await new Promise((resolve) => { this.waiting.push(resolve); setTimeout(resolve, 200); });
    }
  }

  close() {
    check(this.rejected.length === 0, `notifications with a bad signature: ${this.rejected}`);
    this.server.close();
  }
}

module.exports = { BASE, control, world, token, jpeg, mp4, advance, check, Receiver };
