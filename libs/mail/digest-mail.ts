import type { IsoDate } from '../calendar';
import { addDays, weekday } from '../calendar';
import { MailLanguage, mailTemplates, MailTemplates } from './mail-templates';
import { formatDate, NotificationMailContext, NotificationTemplateContext, oneLine, templateContext } from './notification-mail';

export interface DigestMailContext {
  language: MailLanguage;
  /** The organisation the recipient receives the digest for. */
  organisationName: string;
  /** The Monday of the digest's week (another day of that week is read as its Monday). */
  weekOf: IsoDate;
  /** In the order the mail shows them; each with its own `links.action` (its preferences and unsubscribe links are ignored). */
  entries: NotificationMailContext[];
  /** `unsubscribeUrl` is null when any entry is a mandatory notice (verplichte melding) to this recipient. */
  links: { preferencesUrl: string; unsubscribeUrl: string | null };
}

/** What the digest templates see; each entry is what a single mail's templates see (`templateContext`). */
export interface DigestTemplateContext {
  language: MailLanguage;
  organisationName: string;
  /** `maandag 6 januari 2031`, in the digest's language. */
  weekOf: string;
  entries: NotificationTemplateContext[];
  links: { preferencesUrl: string; unsubscribeUrl: string | null };
}

/** The weekly overview of one recipient for one organisation: every notification of the week in one mail. */
export function renderDigestMail(ctx: DigestMailContext, templates: MailTemplates = mailTemplates()): { subject: string; text: string; html: string } {
  // An empty digest is a bug in the caller; a mail saying "0 meldingen" helps nobody.
  if (ctx.entries.length === 0) throw new Error('a digest needs at least one entry');
  const context = digestTemplateContext(ctx);
  const render = (name: string, extra: object = {}) => templates.render(ctx.language, name, { ...context, ...extra });
  const subject = oneLine(render('digest.subject'));
  return { subject, text: render('digest.text'), html: render('digest.html', { subject }) };
}

export function digestTemplateContext(ctx: DigestMailContext): DigestTemplateContext {
  return {
    language: ctx.language,
    organisationName: ctx.organisationName,
    // "week van maandag …" must name a Monday, also if the digest is ever sent on another weekday.
    weekOf: formatDate(addDays(ctx.weekOf, -((weekday(ctx.weekOf) + 6) % 7)), ctx.language),
    entries: ctx.entries.map((entry) => {
      const entryContext = templateContext({ ...entry, language: ctx.language });
      // The digest has one footer; an entry keeps only its action link.
      return { ...entryContext, links: { ...entryContext.links, preferencesUrl: null, unsubscribeUrl: null } };
    }),
    links: { preferencesUrl: ctx.links.preferencesUrl, unsubscribeUrl: ctx.links.unsubscribeUrl },
  };
}
