import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { ConfigError } from '../config/config';

/** Where the DKIM key lives and what it signs for (`config.smtp.dkim`). */
export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKeyPath: string;
}

/**
 * The header fields every signature covers (those present in the message; absent ones are left out of `h=`).
 * RFC 8058 only honours one-click unsubscribe when both List-Unsubscribe headers are signed; the rest is
 * RFC 6376 §5.4.1's list, so a relay cannot change what the reader sees or replies to.
 * Explicit rather than nodemailer's default, which only covers List-Unsubscribe-Post since 10.6.1.
 */
export const DKIM_SIGNED_HEADERS = [
  'From',
  'Sender',
  'Reply-To',
  'To',
  'Cc',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-ID',
  'Content-Description',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
] as const;

/**
 * Reads and checks the DKIM key once, at start-up. nodemailer drops the signature silently when signing fails,
 * so a key that cannot sign must stop the process here rather than let mail go out unsigned.
 */
export function loadDkimKey(privateKeyPath: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(privateKeyPath, 'utf8');
  } catch (error) {
    throw new ConfigError('DKIM_PRIVATE_KEY_FILE', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError('DKIM_PRIVATE_KEY_FILE', 'does not hold an unencrypted PEM private key');
  }
  // nodemailer signs with rsa-sha256 only; RFC 8301 refuses RSA keys under 1024 bits.
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) {
    throw new ConfigError('DKIM_PRIVATE_KEY_FILE', 'must hold an RSA private key of at least 1024 bits (2048 recommended)');
  }
  return key;
}

/**
 * A pooled SMTP transport to SMTP_URL: a local catcher in development and tests, any relay in production.
 * With DKIM settings every message is signed (rsa-sha256, relaxed/relaxed) for `dkim.domainName`.
 */
export function createMailTransport(smtpUrl: string, maxConnections: number, dkim?: DkimSettings): Transporter {
  const url = new URL(smtpUrl);
  const privateKey = dkim ? loadDkimKey(dkim.privateKeyPath) : undefined;
  return nodemailer.createTransport({
    pool: true,
    maxConnections,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local catcher has no certificate; a relay reached with smtp:// still upgrades with STARTTLS when offered.
    ignoreTLS: ['localhost', '127.0.0.1', '::1'].includes(url.hostname),
    dkim: dkim && {
      domainName: dkim.domainName,
      keySelector: dkim.keySelector,
      privateKey,
      headerFieldNames: DKIM_SIGNED_HEADERS.join(':'),
    },
  });
}
