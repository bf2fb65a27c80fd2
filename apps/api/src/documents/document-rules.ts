/**
 * What an evidence document must be, as pure functions (no database, no Nest): a PDF by its content,
 * never by its name or declared type, within its size; and the file name it is kept and served under.
 * `documents.service.ts` applies them; the HTTP edge takes its upload limit from `DOCUMENT_LIMITS`.
 */
import { createHash } from 'node:crypto';
import { TEXT_LIMITS } from '../../../../libs/programme/limits';
import { RegieError } from '../errors/regie-error';

export const DOCUMENT_LIMITS = { bytes: 20 * 1024 * 1024 } as const;

/**
 * A document's file name, in characters: room for any real name, within what file systems keep (255
 * bytes), and a valid evidence reference (TEXT_LIMITS.reference), since the page records it as one.
 */
export const DOCUMENT_FILENAME_LIMIT = Math.min(200, TEXT_LIMITS.reference);

/** The PDF specification lets a reader find the header within the first 1024 bytes; the end marker sits near the end. */
const PDF_WINDOW = 1024;
const PDF_HEADER = Buffer.from('%PDF-');
const PDF_END = Buffer.from('%%EOF');
const MARKUP = 0x3c; // '<'

/**
 * Whether these bytes are a PDF: `%PDF-` and a version (`1.7`, `2.0`) within the first 1024 bytes, and
 * `%%EOF` within the last 1024. Bytes before the header may be junk a mail program left, but never markup
 * (`<`): an HTML, XML or SVG file with `%PDF-` in it is not a PDF, whatever it ends with.
 */
export function isPdf(content: Buffer): boolean {
  const header = content.subarray(0, PDF_WINDOW).indexOf(PDF_HEADER);
  if (header < 0) return false;
  if (content.subarray(0, header).includes(MARKUP)) return false;
  const version = content.subarray(header + PDF_HEADER.length, header + PDF_HEADER.length + 3).toString('latin1');
  if (!/^\d\.\d$/.test(version)) return false;
  const tail = content.subarray(Math.max(header + PDF_HEADER.length, content.length - PDF_WINDOW));
  return tail.includes(PDF_END);
}

/** The refusal of a document that is empty, too large or no PDF; null when it may be stored. Size first: a huge file is not scanned. */
export function documentProblem(content: Buffer): RegieError | null {
  if (content.length === 0) return new RegieError('document-empty', 'invalid-input', 'Het document is leeg / The document is empty', 'document');
  if (content.length > DOCUMENT_LIMITS.bytes) {
    const mb = DOCUMENT_LIMITS.bytes / (1024 * 1024);
    return new RegieError('document-too-large', 'too-large', `Het document is te groot: ten hoogste ${mb} MB / The document is too large: at most ${mb} MB`, 'document');
  }
  if (!isPdf(content)) {
    return new RegieError(
      'document-not-pdf',
      'invalid-input',
      'Het document is geen PDF (gecontroleerd op de inhoud, niet op de naam) / The document is not a PDF (checked by its content, not its name)',
      'document',
    );
  }
  return null;
}

/** The document's checksum as kept and served: SHA-256, lower-case hex. */
export const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/** Control and format characters (bidi overrides such as U+202E turn `fdp.exe` around), line and paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** Characters a file system (Windows above all) or a header value cannot carry in a name. */
const RESERVED = /["*:<>?|]/g;
const PDF_EXTENSION = /\.pdf$/i;

/**
 * The name a document is kept and served under: the last part of whatever path the browser sent, without
 * control, format or reserved characters, white space collapsed, no leading dot, ending in `.pdf` (it is
 * one: the content said so), at most DOCUMENT_FILENAME_LIMIT characters with the extension kept.
 */
export function sanitiseFilename(name: string): string {
  const base = (name.split(/[/\\]/).pop() ?? '')
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(RESERVED, '_')
    .replace(/\s+/gu, ' ')
    .trim();
  const extension = PDF_EXTENSION.exec(base)?.[0] ?? '.pdf';
  const stem = trimEnds(PDF_EXTENSION.test(base) ? base.slice(0, -extension.length) : base);
  const bounded = trimEnds([...stem].slice(0, DOCUMENT_FILENAME_LIMIT - extension.length).join(''));
  return `${bounded || 'document'}${extension}`;
}

/** No dots or spaces at either end: a leading dot hides a file, a trailing one Windows drops. */
const trimEnds = (text: string) => text.replace(/^[.\s]+|[.\s]+$/gu, '');

/**
 * `Content-Disposition` for a download under this name (RFC 6266): an ASCII fallback for old clients and
 * the exact name as `filename*` in UTF-8 (RFC 8187), so no name can break out of the header.
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
