import { escapeHtml, renderMail } from './mail-templates';
import { NOTIFICATION_KINDS } from './notification';

describe('mail templates', () => {
  const data = {
    name: '<script>alert("x")</script> & Co',
    email: 'ada@example.com',
    previousEmail: 'old@example.com',
    newEmail: 'new@example.com',
  };

  it.each(NOTIFICATION_KINDS)('%s: the name appears as text in the plain body and escaped in the HTML body', (kind) => {
    const mail = renderMail(kind, data);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text).toContain(data.name);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.html).not.toContain('<script>');
  });

  it('an email change names both addresses', () => {
    const mail = renderMail('email-changed-old', data);
    expect(mail.text).toContain('from old@example.com to new@example.com');
  });

  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
