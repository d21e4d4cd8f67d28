import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { MailDeliveryError, type MailSender, type OutgoingMail } from '../../application';

interface Envelope {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

function envelopeOf(mail: OutgoingMail, from: string): Envelope {
  const { to, subject, text, html } = mail;
  return { from, to, subject, text, html, messageId: `<${mail.notificationId}@notification-service>` };
}

/** 5xx replies (mailbox unknown, policy refusal) will not change on retry; everything else might. */
export function toMailDeliveryError(error: unknown): MailDeliveryError {
  const { responseCode, message } = error as { responseCode?: unknown; message?: unknown };
  const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
  return new MailDeliveryError(typeof message === 'string' ? message : String(error), permanent, { cause: error });
}

/** Sends over SMTP with a small connection pool (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). */
export class SmtpMailSender implements MailSender {
  private readonly transport;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport({
      url,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail(envelopeOf(mail, this.from));
    } catch (error) {
      throw toMailDeliveryError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * For development without a mail server: builds the exact message nodemailer would send and writes it to
 * `<dir>/<time>-<notification id>.eml`, which any mail client opens.
 */
export class EmlFileMailSender implements MailSender {
  private readonly transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    readonly directory: string,
    private readonly from: string,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    try {
      const info = await this.transport.sendMail(envelopeOf(mail, this.from));
      await mkdir(this.directory, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await writeFile(path.join(this.directory, `${stamp}-${mail.notificationId}.eml`), info.message as Buffer);
    } catch (error) {
      throw toMailDeliveryError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}
