import type { DateDerivation, IsoDate } from '../calendar';
import { dateParts, formatDutchDate, weekday } from '../calendar';
import type { DateKind, NotificationKind, OwnerKind } from '../contracts/enums';
import type { MailLinks } from './links';
import { MailLanguage, mailTemplates, MailTemplates } from './mail-templates';

export type { MailLanguage } from './mail-templates';

export interface NotificationMailContext {
  /** The recipient's language; Dutch unless a preference says otherwise. */
  language?: MailLanguage;
  kind: NotificationKind;
  ownerName: string;
  ownerCode: string;
  ownerKind: OwnerKind;
  stepNameNl: string;
  stepNameEn: string;
  /** A yearly step's cycle, added to its name ("Prestatieafspraken 2027"). */
  cycleYear?: number | null;
  legalBasis: { citation: string; verified: boolean };
  offsetDays: number;
  rung?: number;
  dateKind: DateKind;
  due: DateDerivation;
  previousDue: DateDerivation | null;
  overdueSince: IsoDate | null;
  /** The checklist items still open, in both languages (from the rulebook). */
  checklist: { nl: string; en: string }[];
  /** An escalation names who is told now and who was told at earlier rungs of this date. */
  told?: { now: string[]; earlier: { rung: number; recipients: string[] }[] };
  stepUrl: string;
  rulebookId: string;
  /** This recipient's links (libs/mail/links.ts); without them the mail has no link section. */
  links?: MailLinks;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** Wording for the calendar invite of this mail (see calendar-invite.ts). */
  calendar: { summary: string; description: string };
}

/**
 * What the templates see. Code only prepares values (dates formatted in the mail's language, the names in
 * that language, the open checklist items); every word of the mail is in `templates/<language>/`. Every
 * field is always present (null when it does not apply), because the templates are compiled strict.
 */
export interface NotificationTemplateContext {
  language: MailLanguage;
  kind: NotificationKind;
  owner: { name: string; code: string; isRegion: boolean };
  step: { name: string };
  legalBasis: { citation: string; verified: boolean };
  /** The DATE's kind: a statutory term (true) or a planned date, a streefdatum (false); never about the rung. */
  statutory: boolean;
  date: string;
  previousDate: string | null;
  overdueSince: string | null;
  /** How the date was determined: the Dutch text recorded with the date (libs/calendar), in every language. */
  derivation: string;
  offsetDays: number;
  rung: number | null;
  checklist: string[];
  /** Escalations: the addresses told with this rung, and those of earlier rungs (empty lists otherwise). */
  toldNow: string[];
  toldEarlier: { rung: number; recipients: string }[];
  stepUrl: string;
  rulebookId: string;
  links: TemplateLinks;
}

/**
 * The links as templates see them: one flat object, always present, each URL null when the mail does not
 * carry it (strict templates cannot look inside a null). A mandatory notice (verplichte melding) has a
 * preferences page but no unsubscribe link; a mail without links has all four null.
 */
export interface TemplateLinks {
  preferencesUrl: string | null;
  unsubscribeUrl: string | null;
  /** Escalations: "I have seen this escalation". */
  acknowledgeUrl: string | null;
  /** Other notifications: "received". */
  confirmReceiptUrl: string | null;
}

/** A reminder, escalation, change notice or cancellation for one step, in text and HTML with the same content. */
export function renderNotificationMail(ctx: NotificationMailContext, templates: MailTemplates = mailTemplates()): RenderedMail {
  const context = templateContext(ctx);
  const { language, kind } = context;
  const render = (name: string, extra: object = {}) => templates.render(language, name, { ...context, ...extra });
  const subject = oneLine(render(`${kind}.subject`));
  return {
    subject,
    text: render(`${kind}.text`),
    html: render(`${kind}.html`, { subject }),
    calendar: { summary: oneLine(render('invite.summary')), description: render('invite.description').trim() },
  };
}

export function templateContext(ctx: NotificationMailContext): NotificationTemplateContext {
  const language = ctx.language ?? 'nl';
  const date = (d: IsoDate) => formatDate(d, language);
  const name = language === 'en' ? ctx.stepNameEn : ctx.stepNameNl;
  return {
    language,
    kind: ctx.kind,
    owner: { name: ctx.ownerName, code: ctx.ownerCode, isRegion: ctx.ownerKind === 'region' },
    step: { name: ctx.cycleYear ? `${name} ${ctx.cycleYear}` : name },
    legalBasis: { citation: ctx.legalBasis.citation, verified: ctx.legalBasis.verified },
    statutory: ctx.dateKind === 'statutory',
    date: date(ctx.due.date),
    previousDate: ctx.previousDue ? date(ctx.previousDue.date) : null,
    overdueSince: ctx.overdueSince ? date(ctx.overdueSince) : null,
    derivation: ctx.due.text,
    offsetDays: ctx.offsetDays,
    rung: ctx.rung ?? null,
    checklist: ctx.checklist.map((item) => (language === 'en' ? item.en : item.nl)),
    toldNow: ctx.told?.now ?? [],
    toldEarlier: (ctx.told?.earlier ?? []).map((e) => ({ rung: e.rung, recipients: e.recipients.join(', ') })),
    stepUrl: ctx.stepUrl,
    rulebookId: ctx.rulebookId,
    links: templateLinks(ctx.links),
  };
}

function templateLinks(links: MailLinks | undefined): TemplateLinks {
  const action = links?.action ?? null;
  return {
    preferencesUrl: links?.preferencesUrl ?? null,
    unsubscribeUrl: links?.unsubscribeUrl ?? null,
    acknowledgeUrl: action?.kind === 'acknowledge' ? action.url : null,
    confirmReceiptUrl: action?.kind === 'confirm-receipt' ? action.url : null,
  };
}

const ENGLISH_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ENGLISH_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `maandag 3 juli 2028` or `Monday 3 July 2028`: always with the weekday, never dependent on the ICU build. */
export function formatDate(date: IsoDate, language: MailLanguage): string {
  if (language === 'nl') return formatDutchDate(date);
  const { year, month, day } = dateParts(date);
  return `${ENGLISH_WEEKDAYS[weekday(date)]} ${day} ${ENGLISH_MONTHS[month - 1]} ${year}`;
}

/** A subject or summary is one line, whatever line breaks an editor left in its file. */
export const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
