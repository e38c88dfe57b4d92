// How an email leaves the machine. The pipeline only knows the Notifier interface; SMTP through
// nodemailer sits behind it (imported on the first send: it costs ~9 MB of resident memory,
// which a watcher that never has to send should not pay).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';
import type { SmtpSettings } from '../../shared/settings.js';

export interface OutgoingEmail {
  /** RFC 5322 Message-ID with angle brackets, fixed when the email was composed. */
  messageId: string;
  /** The Date header (unix ms), fixed when the email was composed. */
  date: number;
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
}

export interface SendResult {
  accepted: string[];
  rejected: string[];
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as 4F2…". */
  response: string;
}

export interface Notifier {
  /** For logs and `vigil test-email`: "smtps://alerts@mail.example.org:465". */
  readonly description: string;
  send(email: OutgoingEmail): Promise<SendResult>;
  close(): void;
}

/**
 * Why a send failed.
 * - 'transport': the server could not be reached or refused us (connection, TLS, timeout,
 *   authentication, 4xx): every email would fail the same way; retry all later, with backoff.
 * - 'message': the server refused this email for good (5xx to MAIL FROM/RCPT TO/DATA): the
 *   others may still go.
 */
export class NotifierError extends VigilError {
  constructor(
    readonly scope: 'transport' | 'message',
    message: string,
    options?: { cause?: unknown },
  ) {
    super('io_error', message, options);
    this.name = 'NotifierError';
  }
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://, usually port 465). Otherwise STARTTLS when offered. */
  secure: boolean;
  requireTls: boolean;
  user: string | null;
  password: string | null;
  /** PEM certificates to trust besides the system's. */
  ca: string | null;
  from: string;
  to: string[];
  /** Connection, greeting and socket timeouts (ms). */
  timeoutMs: number;
}

/** Parses smtp(s)://user:password@host:port; the password part is optional. */
export function parseSmtpUrl(text: string): Pick<SmtpConfig, 'host' | 'port' | 'secure' | 'user' | 'password'> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VigilError('invalid_argument', `Invalid SMTP URL ${redactSmtpUrl(text)}: expected smtp://user:password@host:port or smtps://…`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new VigilError('invalid_argument', `Invalid SMTP URL ${redactSmtpUrl(text)}: the scheme must be smtp:// (STARTTLS) or smtps:// (TLS)`);
  }
  if (!url.hostname) throw new VigilError('invalid_argument', `Invalid SMTP URL ${redactSmtpUrl(text)}: no host`);
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') {
    throw new VigilError('invalid_argument', `Invalid SMTP URL ${redactSmtpUrl(text)}: unexpected path ${url.pathname}`);
  }
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    user: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redactSmtpUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * The SMTP configuration from settings, or null when no SMTP URL is set (alerts are then kept
 * in the history only). Throws a VigilError naming the field when something is missing.
 */
export function smtpConfigFrom(settings: SmtpSettings, dataDir: string, options: { timeoutMs?: number } = {}): SmtpConfig | null {
  if (!settings.url) return null;
  const parsed = parseSmtpUrl(settings.url);
  let password = parsed.password;
  if (!password && settings.passwordFile) {
    const file = path.resolve(dataDir, settings.passwordFile);
    try {
      password = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read the SMTP password file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  let ca: string | null = null;
  if (settings.caFile) {
    const file = path.resolve(dataDir, settings.caFile);
    try {
      ca = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read smtp.caFile ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  const to = settings.to.map((a) => a.trim()).filter(Boolean);
  if (to.length === 0) throw new VigilError('invalid_settings', 'An SMTP server is set but no recipient: set smtp.to (or pass --alert-to)');
  const from = settings.from.trim() || (parsed.user?.includes('@') ? parsed.user : `Vigil <vigil@${os.hostname()}>`);
  return { ...parsed, password, requireTls: settings.requireTls, ca, from, to, timeoutMs: options.timeoutMs ?? 20_000 };
}

export function describeSmtp(config: Pick<SmtpConfig, 'host' | 'port' | 'secure' | 'user'>): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.secure ? 'smtps' : 'smtp'}://${config.user ? `${encodeURIComponent(config.user)}@` : ''}${host}:${config.port}`;
}

type Transport = { sendMail(options: Record<string, unknown>): Promise<Record<string, unknown>>; close(): void };

/** Sends through an SMTP server with nodemailer: TLS (smtps) or STARTTLS (smtp), optional auth. */
export class SmtpNotifier implements Notifier {
  readonly description: string;
  private transport: Transport | null = null;

  constructor(private readonly config: SmtpConfig) {
    this.description = describeSmtp(config);
  }

  async send(email: OutgoingEmail): Promise<SendResult> {
    const transport = await this.open();
    try {
      const info = await transport.sendMail({
        from: email.from,
        to: [...email.to],
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
        date: new Date(email.date),
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Mailer': 'Vigil' },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const accepted = ((info.accepted as unknown[] | undefined) ?? []).map(String);
      const rejected = ((info.rejected as unknown[] | undefined) ?? []).map(String);
      return { accepted, rejected, response: String(info.response ?? '') };
    } catch (error) {
      throw classifySmtpError(error, this.description);
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }

  private async open(): Promise<Transport> {
    if (this.transport) return this.transport;
    const { default: nodemailer } = await import('nodemailer');
    const c = this.config;
    this.transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: !c.secure && c.requireTls,
      auth: c.user ? { user: c.user, pass: c.password ?? '' } : undefined,
      // SNI carries host names only (RFC 6066), never an IP address.
      tls: { ...(c.ca ? { ca: c.ca } : {}), ...(net.isIP(c.host) ? {} : { servername: c.host }) },
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
      // One connection per email: alerts are rare, and a kept connection would only time out.
      pool: false,
    }) as unknown as Transport;
    return this.transport;
  }
}

/** nodemailer's error → NotifierError with a message a person can act on. */
export function classifySmtpError(error: unknown, where: string): NotifierError {
  if (error instanceof NotifierError) return error;
  const e = error as { code?: string; responseCode?: number; command?: string; message?: string; response?: string };
  const code = e.code ?? '';
  const detail = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim();
  const status = e.responseCode ?? 0;
  if (code === 'EAUTH') return new NotifierError('transport', `SMTP ${where}: authentication failed: ${detail}`, { cause: error });
  if (code === 'ETLS' || /certificate|self[- ]signed|TLS|SSL/i.test(detail) && !status) {
    return new NotifierError('transport', `SMTP ${where}: TLS failed: ${detail}`, { cause: error });
  }
  if (status >= 500 && (code === 'EENVELOPE' || code === 'EMESSAGE' || /^(MAIL|RCPT|DATA)/i.test(e.command ?? ''))) {
    return new NotifierError('message', `SMTP ${where} refused the email: ${detail}`, { cause: error });
  }
  return new NotifierError('transport', `SMTP ${where}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, { cause: error });
}
