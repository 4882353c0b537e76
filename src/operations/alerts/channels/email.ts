/**
 * @module Email channel over SMTP (nodemailer): one plain-text message per alert. Connection and
 * temporary (4xx) failures are retryable; a permanent (5xx) refusal is not.
 */
import type { Transporter } from 'nodemailer';
import { alertSubject, alertText } from '../format.js';
import { ChannelError, type AlertChannel, type AlertEvent } from '../types.js';

export interface EmailOptions {
  name: string;
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
  timeoutMs?: number;
  /** Tests against a local server without a certificate. */
  allowSelfSigned?: boolean;
}

export class EmailChannel implements AlertChannel {
  readonly type = 'email';
  readonly name: string;
  private transport: Promise<Transporter> | undefined;

  constructor(private readonly opts: EmailOptions) {
    this.name = opts.name;
  }

  /** nodemailer is loaded on the first message: every other command starts without it. */
  private transporter(): Promise<Transporter> {
    this.transport ??= import('nodemailer').then((m) => this.createTransport(m.default));
    return this.transport;
  }

  private createTransport(nodemailer: Pick<typeof import('nodemailer').default, 'createTransport'>): Transporter {
    const opts = this.opts;
    const timeout = opts.timeoutMs ?? 15_000;
    return nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      ...(opts.user !== undefined ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(opts.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
    });
  }

  async send(e: AlertEvent): Promise<void> {
    try {
      await (await this.transporter()).sendMail({ from: this.opts.from, to: this.opts.to, subject: alertSubject(e), text: alertText(e) });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const permanent = code !== undefined && code >= 500;
      throw new ChannelError(`SMTP ${code !== undefined ? `answered ${code}` : 'failed'}: ${(err as Error).message.split('\n')[0].slice(0, 160)}`, !permanent);
    }
  }

  async close(): Promise<void> {
    if (this.transport) (await this.transport).close();
  }
}
