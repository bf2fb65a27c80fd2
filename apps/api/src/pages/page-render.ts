import type { Request, Response } from 'express';
import { DEFAULT_LANGUAGE, isOneOf, LANGUAGES, type Language } from '../../../../libs/contracts/enums';
import { mailTemplates } from '../../../../libs/mail/mail-templates';
import { APP_PAGE_HEADERS } from '../mail-links/mail-links.controller';

/** A browser asks for HTML before JSON (`Accept: text/html,...`); an API client (JSON, `*\/*`, none) gets JSON. */
export const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

/** Dutch unless `?lang=en`; pages keep the choice in their links and forms. */
export function languageOf(req: Request): Language {
  const lang = req.query.lang;
  return isOneOf(LANGUAGES, lang) ? lang : DEFAULT_LANGUAGE;
}

/** `?lang=en` for English pages, nothing for the default: appended to every link and form action. */
export const langQuery = (language: Language) => (language === DEFAULT_LANGUAGE ? '' : `?lang=${language}`);

/**
 * Sends a page of `libs/mail/templates/<language>/<template>.html.hbs` with the app pages' headers (a page
 * with a secret token in its path passes the mail-link pages' `PAGE_HEADERS`: no referrer at all).
 */
export function renderPage(res: Response, status: number, language: Language, template: string, context: object, headers: Record<string, string> = APP_PAGE_HEADERS): string {
  res.status(status).set(headers);
  return mailTemplates().render(language, `${template}.html`, { language, langQuery: langQuery(language), ...context });
}

/** The Dutch or the English half of a message written "Nederlands / English". */
export function inLanguage(message: string, language: Language): string {
  const at = message.indexOf(' / ');
  if (at < 0) return message;
  return language === 'en' ? message.slice(at + 3) : message.slice(0, at);
}
