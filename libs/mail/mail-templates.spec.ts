import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TEMPLATE_DIR, loadMailTemplates, MAIL_LANGUAGES, MailTemplateError, REQUIRED_TEMPLATES } from './mail-templates';
import { DigestTemplateContext } from './digest-mail';
import { NotificationTemplateContext } from './notification-mail';

const context: NotificationTemplateContext = {
  language: 'nl',
  kind: 'reminder',
  owner: { name: 'Amsterdam', code: 'GM0363', isRegion: false },
  step: { name: 'Volkshuisvestingsprogramma' },
  legalBasis: { citation: 'Omgevingswet', verified: true },
  statutory: true,
  date: 'maandag 3 juli 2028',
  previousDate: null,
  overdueSince: null,
  derivation: 'maandag 3 juli 2028.',
  offsetDays: 90,
  rung: null,
  checklist: ['Ouderen'],
  toldNow: ['pm@amsterdam.example'],
  toldEarlier: [{ rung: 1, recipients: 'pm@amsterdam.example, wethouder@amsterdam.example' }],
  stepUrl: 'https://regie.example/x',
  rulebookId: 'v1',
  links: { preferencesUrl: 'https://regie.example/p', unsubscribeUrl: null, acknowledgeUrl: 'https://regie.example/a', confirmReceiptUrl: null },
};

const digest: DigestTemplateContext = {
  language: 'nl',
  organisationName: 'Amsterdam',
  weekOf: 'maandag 6 januari 2031',
  entries: [context, { ...context, kind: 'escalation', rung: 2 }],
  links: { preferencesUrl: 'https://regie.example/p', unsubscribeUrl: 'https://regie.example/u' },
};

describe('mail templates', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'regie-templates-'));
    cpSync(DEFAULT_TEMPLATE_DIR, scratch, { recursive: true });
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('live in libs/mail/templates, beside this code in the source tree', () => {
    expect(DEFAULT_TEMPLATE_DIR).toBe(path.resolve(__dirname, 'templates'));
    for (const language of MAIL_LANGUAGES) {
      for (const name of REQUIRED_TEMPLATES) expect(existsSync(path.join(DEFAULT_TEMPLATE_DIR, language, `${name}.hbs`))).toBe(true);
    }
  });

  it('every template of every language renders completely', () => {
    const templates = loadMailTemplates();
    for (const language of MAIL_LANGUAGES) {
      for (const name of REQUIRED_TEMPLATES) {
        const signIn = { email: 'p@gemeente.example', url: 'https://regie.example/auth/link/x', validUntil: 'woensdag 2 december 2026 om 14:05' };
        const values = name.startsWith('digest.') ? { ...digest, language } : name.startsWith('sign-in.') ? { ...signIn, language } : { ...context, language, rung: 1 };
        const out = templates.render(language, name, { ...values, subject: 'Onderwerp' });
        expect(out.trim()).not.toBe('');
        expect(out).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  it('a misspelt value fails the render naming the file, instead of sending a mail with a gap', () => {
    const file = path.join(scratch, 'nl', 'reminder.subject.hbs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{date}}', '{{datum}}'));
    const templates = loadMailTemplates(scratch);
    expect(() => templates.render('nl', 'reminder.subject', context)).toThrow(MailTemplateError);
    expect(() => templates.render('nl', 'reminder.subject', context)).toThrow(/nl\/reminder\.subject\.hbs: "datum" not defined/);
  });

  it('a missing or broken file stops loading with its name', () => {
    unlinkSync(path.join(scratch, 'en', 'cancellation.html.hbs'));
    expect(() => loadMailTemplates(scratch)).toThrow(/mail templates missing in .*en: cancellation\.html\.hbs/);
    writeFileSync(path.join(scratch, 'en', 'cancellation.html.hbs'), '{{#if statutory}}unclosed');
    expect(() => loadMailTemplates(scratch)).toThrow(/cancellation\.html\.hbs: Parse error/);
  });

  it('refuses a one-line piece alone on a line, where Handlebars would glue two lines together', () => {
    const file = path.join(scratch, 'nl', 'reminder.text.hbs');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n{{> owner}}\n`);
    expect(() => loadMailTemplates(scratch)).toThrow(/reminder\.text\.hbs: \{\{> owner\}\} is a one-line piece/);
  });

  it('reads files saved with Windows line endings like any other', () => {
    const file = path.join(scratch, 'nl', 'reminder.text.hbs');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    const out = loadMailTemplates(scratch).render('nl', 'reminder.text', context);
    expect(out).not.toContain('\r');
    expect(out).toContain('Gemeente:\nAmsterdam (GM0363)\n\n');
  });
});
