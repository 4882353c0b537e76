/**
 * Local stand-ins for the alert services, on 127.0.0.1 only: a webhook receiver, the Telegram
 * Bot API's sendMessage, and a real SMTP server (the smtp-server package). Each one records what
 * it received so tests can assert counts and content, and can be told to fail.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => resolve(s));
  });
}

export interface FakeWebhook {
  url: string;
  received: { path: string; body: unknown }[];
  /** Every request answers this status (200 by default). */
  status: number;
  close(): Promise<void>;
}

export async function startFakeWebhook(): Promise<FakeWebhook> {
  const fake: FakeWebhook = { url: '', received: [], status: 200, close: async () => {} };
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // kept as text
      }
      fake.received.push({ path: req.url ?? '', body: parsed });
      res.writeHead(fake.status, { 'content-type': 'text/plain' });
      res.end(fake.status === 200 ? 'ok' : 'upstream broken');
    });
  });
  const port = await listen(server);
  fake.url = `http://127.0.0.1:${port}/hooks/atlas`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

export interface FakeTelegram {
  apiBase: string;
  token: string;
  messages: { chat_id: string | number; text: string }[];
  /** The next n sendMessage calls answer 429 with retry_after seconds. */
  throttle(n: number, retryAfterSec: number): void;
  requests: number;
  close(): Promise<void>;
}

export async function startFakeTelegram(token = '123456:TEST-token-abc'): Promise<FakeTelegram> {
  let throttled = 0;
  let retryAfter = 1;
  const fake: FakeTelegram = {
    apiBase: '',
    token,
    messages: [],
    requests: 0,
    throttle: (n, s) => {
      throttled = n;
      retryAfter = s;
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      fake.requests++;
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url !== `/bot${token}/sendMessage`) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
      if (throttled > 0) {
        throttled--;
        return send(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
      }
      const m = JSON.parse(body) as { chat_id?: string | number; text?: string };
      if (m.chat_id === undefined || typeof m.text !== 'string' || m.text.length === 0) return send(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
      if (m.text.length > 4096) return send(400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
      fake.messages.push({ chat_id: m.chat_id, text: m.text });
      send(200, { ok: true, result: { message_id: fake.messages.length, chat: { id: m.chat_id }, date: 0, text: m.text } });
    });
  });
  const port = await listen(server);
  fake.apiBase = `http://127.0.0.1:${port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

export interface FakeSmtp {
  host: string;
  port: number;
  user: string;
  password: string;
  messages: { from: string; to: string[]; raw: string; subject: string; text: string }[];
  close(): Promise<void>;
}

export async function startFakeSmtp(user = 'atlas', password = 'smtp-pass-123'): Promise<FakeSmtp> {
  const fake: FakeSmtp = { host: '127.0.0.1', port: 0, user, password, messages: [], close: async () => {} };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        const [head, ...rest] = raw.split(/\r?\n\r?\n/);
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
        const body = rest.join('\n\n');
        const qp = /^Content-Transfer-Encoding: quoted-printable$/im.test(head);
        fake.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
          text: qp ? decodeQuotedPrintable(body) : body,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.port = (server.server.address() as AddressInfo).port;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

function decodeQuotedPrintable(s: string): string {
  const joined = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
