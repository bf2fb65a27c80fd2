import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Language, LANGUAGES, NOTIFICATION_KINDS } from '../contracts/enums';
import { pageAssetPath } from './page-assets';

/** One template folder per language (libs/contracts/enums.ts). */
export const MAIL_LANGUAGES = LANGUAGES;
export type MailLanguage = Language;

/** Every language folder must hold these; a missing one stops the first render with its path. */
export const REQUIRED_TEMPLATES = [
  ...NOTIFICATION_KINDS.flatMap((kind) => [`${kind}.subject`, `${kind}.text`, `${kind}.html`]),
  'invite.summary',
  'invite.description',
  'digest.subject',
  'digest.text',
  'digest.html',
  'sign-in.subject',
  'sign-in.text',
  'sign-in.html',
] as const;

/**
 * The templates live in the source tree, also for the compiled build (tsc copies no `.hbs` files), so an
 * edited wording takes effect at the next start without a rebuild: from `dist/libs/mail` go up one more
 * level, as `libs/config/config.ts` does for the rulebook versions.
 */
const compiled = path.basename(path.resolve(__dirname, '..', '..')) === 'dist';
export const DEFAULT_TEMPLATE_DIR = path.resolve(__dirname, '..', '..', compiled ? '..' : '', 'libs', 'mail', 'templates');

export class MailTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailTemplateError';
  }
}

export interface MailTemplates {
  readonly dir: string;
  /** Renders `name` (`reminder.text`, `invite.summary`, …) of a language; HTML templates escape every value. */
  render(language: MailLanguage, name: string, context: object): string;
}

const textOptions: CompileOptions = { noEscape: true, strict: true };
const htmlOptions: CompileOptions = { strict: true };

/**
 * Compiles one folder per language: `<name>.hbs` files are templates (`*.html.hbs` escaped as HTML, all
 * others plain text), `_<name>.hbs` files are shared pieces used as `{{> name}}` (`_<name>.text.hbs` and
 * `_<name>.html.hbs` only in that format). Text and HTML get separate Handlebars environments, so a piece
 * used in both is escaped in HTML and left as is in text. Strict mode: a misspelt field fails the render
 * instead of leaving a gap in a mail.
 */
export function loadMailTemplates(dir: string = DEFAULT_TEMPLATE_DIR): MailTemplates {
  const languages = new Map<MailLanguage, Map<string, Handlebars.TemplateDelegate>>();
  for (const language of MAIL_LANGUAGES) {
    const folder = path.join(dir, language);
    let files: string[];
    try {
      files = readdirSync(folder).filter((f) => f.endsWith('.hbs'));
    } catch {
      throw new MailTemplateError(`mail template folder ${folder} cannot be read`);
    }
    const read = (file: string) => readFileSync(path.join(folder, file), 'utf8').replace(/\r\n/g, '\n');
    const text = newEnvironment();
    const html = newEnvironment();
    const sources = new Map(files.map((file) => [file, read(file)]));
    // Handlebars compiles lazily: parse now, so a broken file stops the start naming itself, not a mail later.
    for (const [file, source] of sources) {
      try {
        Handlebars.parse(source);
      } catch (err) {
        throw new MailTemplateError(`${path.join(folder, file)}: ${(err as Error).message}`);
      }
    }
    const oneLinePieces = new Set<string>();
    for (const [file, source] of sources) {
      if (!file.startsWith('_')) continue;
      const [name, format] = file.slice(1, -'.hbs'.length).split('.');
      const partial = asPartial(source);
      if (!partial.includes('\n')) oneLinePieces.add(name);
      if (format !== 'html') text.registerPartial(name, text.compile(partial, textOptions));
      if (format !== 'text') html.registerPartial(name, html.compile(partial, htmlOptions));
    }
    for (const [file, source] of sources) {
      // Handlebars drops the line break of a line holding only a piece: a one-line piece there would glue two lines together.
      const alone = [...source.matchAll(/^[ \t]*\{\{>\s*([\w-]+)\s*\}\}[ \t]*$/gm)].find((m) => oneLinePieces.has(m[1]));
      if (alone) throw new MailTemplateError(`${path.join(folder, file)}: {{> ${alone[1]}}} is a one-line piece; use it inside a sentence, not alone on a line`);
    }
    const templates = new Map<string, Handlebars.TemplateDelegate>();
    for (const [file, source] of sources) {
      if (file.startsWith('_')) continue;
      const name = file.slice(0, -'.hbs'.length);
      templates.set(name, name.endsWith('.html') ? html.compile(source, htmlOptions) : text.compile(source, textOptions));
    }
    const missing = REQUIRED_TEMPLATES.filter((name) => !templates.has(name));
    if (missing.length) throw new MailTemplateError(`mail templates missing in ${folder}: ${missing.map((n) => `${n}.hbs`).join(', ')}`);
    languages.set(language, templates);
  }
  return {
    dir,
    render(language, name, context) {
      const template = languages.get(language)?.get(name);
      if (!template) throw new MailTemplateError(`no mail template ${language}/${name}.hbs in ${dir}`);
      try {
        return template(context);
      } catch (err) {
        throw new MailTemplateError(`mail template ${language}/${name}.hbs: ${(err as Error).message}`);
      }
    },
  };
}

let cached: MailTemplates | undefined;

/** The templates of DEFAULT_TEMPLATE_DIR, read and compiled once per process. */
export function mailTemplates(): MailTemplates {
  cached ??= loadMailTemplates();
  return cached;
}

/** Small, wording-free helpers for template authors: `{{lower step.name}}`, `{{#if (eq offsetDays 1)}}`, `{{asset "theme"}}`. */
function newEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper('lower', (value: unknown) => String(value).toLowerCase());
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // The pages' style sheets by name, as versioned same-origin URLs (page-assets.ts): `{{asset "theme"}}`.
  env.registerHelper('asset', (name: unknown) => pageAssetPath(String(name)));
  return env;
}

/**
 * A one-line piece (`_owner.hbs`) is used inside a sentence, so the line break an editor leaves at the end
 * of the file is dropped; a piece of several lines replaces the line it is written on and keeps it.
 */
function asPartial(source: string): string {
  const body = source.replace(/\n$/, '');
  return body.includes('\n') ? source : body;
}
