// Real SMTP servers for tests, on 127.0.0.1 only:
// - SmtpSink: npm smtp-server in-process, with our own certificate (fixtures/smtp-*.pem, made
//   with `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost
//   -addext subjectAltName=IP:127.0.0.1,DNS:localhost`; the package's built-in one has expired),
//   plain + STARTTLS or implicit TLS, optional AUTH; messages parsed with mailparser.
// - AiosmtpdSink: Debian's python3-aiosmtpd as an independent implementation, writing a Maildir.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { trackChild } from '../../helpers/children.js';

export const CERT_FILE = path.resolve('tests/core/alerts/fixtures/smtp-cert.pem');
const KEY_FILE = path.resolve('tests/core/alerts/fixtures/smtp-key.pem');

export interface ReceivedMail {
  at: number;
  from: string;
  to: string[];
  /** Whether the session was encrypted (TLS or STARTTLS). */
  secure: boolean;
  user: string | null;
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  /** Implicit TLS (smtps) instead of plain + STARTTLS. */
  secure?: boolean;
  /** Require AUTH with this user and password. */
  auth?: { user: string; password: string };
  port?: number;
  /** Refuse RCPT TO for these addresses with 550 (the array may change while the server runs). */
  rejectRecipients?: string[];
}

export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** RCPT TO commands refused with 550 so far. */
  refusals = 0;
  private server: SMTPServer | null = null;
  port = 0;

  constructor(private readonly options: SmtpSinkOptions = {}) {}

  async start(): Promise<this> {
    const options = this.options;
    const server = new SMTPServer({
      secure: options.secure ?? false,
      key: fs.readFileSync(KEY_FILE),
      cert: fs.readFileSync(CERT_FILE),
      authOptional: !options.auth,
      allowInsecureAuth: false,
      disabledCommands: options.auth ? [] : ['AUTH'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo: (address, _session, callback) => {
        if (options.rejectRecipients?.includes(address.address)) {
          this.refusals++;
          const error = new Error('mailbox unavailable') as Error & { responseCode: number };
          error.responseCode = 550;
          callback(error);
        } else callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.messages.push({
              at: Date.now(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: (session.user as string | undefined) ?? null,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.listen(options.port ?? this.port, '127.0.0.1', () => resolve());
      server.server.once('error', reject);
    });
    this.port = (server.server.address() as net.AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(user?: { user: string; password: string }): string {
    const auth = user ? `${encodeURIComponent(user.user)}:${encodeURIComponent(user.password)}@` : '';
    return `${this.options.secure ? 'smtps' : 'smtp'}://${auth}127.0.0.1:${this.port}`;
  }
}

/** A free TCP port on 127.0.0.1 (listen on 0, close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Debian's aiosmtpd writing every message into a Maildir (`/usr/bin/python3`: the one that sees the package). */
export class AiosmtpdSink {
  private child: ChildProcess | null = null;
  readonly maildir: string;

  constructor(
    dir: string,
    readonly port: number,
  ) {
    this.maildir = path.join(dir, 'Maildir');
  }

  static available(): boolean {
    return fs.existsSync('/usr/bin/python3') && fs.existsSync('/usr/lib/python3/dist-packages/aiosmtpd');
  }

  async start(): Promise<this> {
    this.child = trackChild(spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${this.port}`, '-c', 'aiosmtpd.handlers.Mailbox', this.maildir], { stdio: 'ignore' }));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await answers(this.port)) return this;
      if (Date.now() > deadline) throw new Error('aiosmtpd did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }

  /** Every message delivered so far, parsed. */
  async messages(): Promise<ParsedMail[]> {
    const dir = path.join(this.maildir, 'new');
    if (!fs.existsSync(dir)) return [];
    const files = fs.readdirSync(dir).sort();
    return Promise.all(files.map((f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
