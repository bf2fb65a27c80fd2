import * as nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

/** A pooled SMTP transport to SMTP_URL: a local catcher in development and tests, any relay in production. */
export function createMailTransport(smtpUrl: string, maxConnections: number): Transporter {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    pool: true,
    maxConnections,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local catcher has no certificate; a relay reached with smtp:// still upgrades with STARTTLS when offered.
    ignoreTLS: ['localhost', '127.0.0.1', '::1'].includes(url.hostname),
  });
}
