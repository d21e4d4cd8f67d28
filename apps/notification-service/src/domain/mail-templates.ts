import type { MailContent, NotificationKind } from './notification';

/** What the templates may mention. Every value is user-supplied text and is escaped in HTML. */
export interface TemplateData {
  readonly name: string;
  /** The address the mail goes to. */
  readonly email: string;
  /** For an email change: the address before the change. */
  readonly previousEmail?: string;
  /** For an email change: the address after the change. */
  readonly newEmail?: string;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

interface Template {
  subject: string;
  /** Paragraphs; `{name}`, `{email}`, `{previousEmail}` and `{newEmail}` are filled in. */
  paragraphs: readonly string[];
}

const SIGNATURE = 'The Platform team';

const TEMPLATES: Readonly<Record<NotificationKind, Template>> = {
  welcome: {
    subject: 'Welcome to Platform',
    paragraphs: ['Hello {name},', 'welcome to Platform! Your account for {email} is ready.'],
  },
  'email-changed-old': {
    subject: 'Your email address was changed',
    paragraphs: [
      'Hello {name},',
      'the email address of your account was changed from {previousEmail} to {newEmail}.',
      'If you did not do this, contact support at once.',
    ],
  },
  'email-changed-new': {
    subject: 'Your new email address',
    paragraphs: ['Hello {name},', 'from now on we will write to you at {newEmail}.'],
  },
  deactivated: {
    subject: 'Your account was deactivated',
    paragraphs: ['Hello {name},', 'your account ({email}) was deactivated. You can no longer sign in.'],
  },
  goodbye: {
    subject: 'Goodbye from Platform',
    paragraphs: ['Hello {name},', 'your account ({email}) and its data were deleted. We are sorry to see you go.'],
  },
};

function fill(paragraph: string, data: TemplateData, encode: (text: string) => string): string {
  return paragraph.replace(/\{(name|email|previousEmail|newEmail)\}/g, (_match, key: keyof TemplateData) => encode(data[key] ?? ''));
}

/** Renders a notification's subject, plain-text and HTML bodies. Pure: same input, same mail. */
export function renderMail(kind: NotificationKind, data: TemplateData): MailContent {
  const template = TEMPLATES[kind];
  const text = [...template.paragraphs.map((p) => fill(p, data, (value) => value)), `-- ${SIGNATURE}`].join('\n\n');
  const body = template.paragraphs.map((p) => `<p>${fill(p, data, escapeHtml)}</p>`).join('\n');
  const html =
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(template.subject)}</title></head>\n` +
    `<body>\n${body}\n<p>&mdash; ${SIGNATURE}</p>\n</body></html>`;
  return { subject: template.subject, text: `${text}\n`, html };
}
