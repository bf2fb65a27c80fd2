import { dkimVerify } from 'mailauth';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ConfigError } from '../config/config';
import { createMailTransport, DkimSettings } from './mailer';

// Signs through the real pooled transport, receives on a real SMTP server, verifies with mailauth
// (the verifier by nodemailer's author) against a key published by a resolver that stands in for DNS.

const domain = 'regie.example';
const selector = 'regie2025';
const unsubscribe = '<https://regie.example/mail/unsubscribe/x.y>';

let dir: string;
let dkim: DkimSettings;
let publicKeyRecord: string;
let server: SMTPServer;
let smtpUrl: string;
const received: Buffer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'regie-dkim-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPath = path.join(dir, 'dkim.pem');
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  dkim = { domainName: domain, keySelector: selector, privateKeyPath };
  publicKeyRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback();
      });
      stream.on('error', callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one message like the notification mails (both List-Unsubscribe headers) and returns the raw bytes received. */
async function sendThrough(settings: DkimSettings | undefined): Promise<Buffer> {
  const transport = createMailTransport(smtpUrl, 1, settings);
  try {
    const before = received.length;
    await transport.sendMail({
      from: 'Regie <regie@regie.example>',
      to: 'wethouder@gemeente.example',
      subject: 'Herinnering: volkshuisvestingsprogramma – één stap te gaan',
      text: 'De termijn loopt af op maandag 3 juli 2028.\n\nThe deadline is Monday 3 July 2028.\n',
      headers: { 'List-Unsubscribe': unsubscribe, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    expect(received.length).toBe(before + 1);
    return received[received.length - 1];
  } finally {
    transport.close();
  }
}

/** DNS as a receiving server would see it: only the published selector record exists. */
async function resolver(name: string, rrtype: string): Promise<string[][]> {
  if (rrtype === 'TXT' && name === `${selector}._domainkey.${domain}`) return [[publicKeyRecord]];
  throw Object.assign(new Error(`no ${rrtype} record for ${name}`), { code: 'ENOTFOUND' });
}

/** The h= tag of the (single) DKIM-Signature header, lower-cased field names. */
function signedFields(raw: Buffer): string[] {
  const header = raw.toString('latin1').split('\r\n\r\n')[0].replace(/\r\n[ \t]/g, ' ');
  const signature = header.split('\r\n').filter((line) => /^dkim-signature:/i.test(line));
  expect(signature).toHaveLength(1);
  const h = /(?:^|;)\s*h=([^;]+)/.exec(signature[0].slice(signature[0].indexOf(':') + 1));
  return (h?.[1] ?? '').replace(/\s+/g, '').toLowerCase().split(':');
}

describe('DKIM signing of outgoing mail', () => {
  it('signs every message so that a receiver verifies it, List-Unsubscribe and List-Unsubscribe-Post included', async () => {
    const raw = await sendThrough(dkim);

    const { results } = await dkimVerify(raw, { resolver });
    expect(results).toHaveLength(1);
    expect(results[0].status.result).toBe('pass');
    expect(results[0].signingDomain).toBe(domain);
    expect(results[0].status.aligned).toBe(domain);

    const fields = signedFields(raw);
    for (const field of ['list-unsubscribe', 'list-unsubscribe-post', 'from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']) {
      expect(fields).toContain(field);
    }
  });

  it('fails verification when List-Unsubscribe is changed after signing', async () => {
    const raw = (await sendThrough(dkim)).toString('latin1');
    expect(raw).toContain('unsubscribe/x.y>');
    const tampered = Buffer.from(raw.replace('unsubscribe/x.y>', 'unsubscribe/x.z>'), 'latin1');

    const { results } = await dkimVerify(tampered, { resolver });
    expect(results).toHaveLength(1);
    expect(results[0].status.result).toBe('fail');
  });

  it('fails verification when the body is changed after signing', async () => {
    const raw = (await sendThrough(dkim)).toString('latin1');
    const tampered = Buffer.from(raw.replace('3 juli 2028', '3 juli 2029'), 'latin1');

    // mailauth reports a body hash mismatch as neutral (RFC 6376 §6.1.3: the signature does not verify).
    const { results } = await dkimVerify(tampered, { resolver });
    expect(results[0].status.result).not.toBe('pass');
    expect(results[0].status.comment).toBe('body hash did not verify');
  });

  it('adds no DKIM-Signature without DKIM settings', async () => {
    const raw = await sendThrough(undefined);
    const header = raw.toString('latin1').split('\r\n\r\n')[0];
    expect(header).not.toMatch(/^dkim-signature:/im);
    expect((await dkimVerify(raw, { resolver })).results.every((r) => r.status.result !== 'pass')).toBe(true);
  });
});

describe('the DKIM key is checked once, at start-up', () => {
  const attempt = (privateKeyPath: string) => () => createMailTransport(smtpUrl, 1, { ...dkim, privateKeyPath });

  it('refuses a key file that cannot be read, naming DKIM_PRIVATE_KEY_FILE', () => {
    expect(attempt(path.join(dir, 'missing.pem'))).toThrow(ConfigError);
    expect(attempt(path.join(dir, 'missing.pem'))).toThrow(/DKIM_PRIVATE_KEY_FILE cannot be read \(ENOENT\)/);
  });

  it('refuses a file that holds no private key', () => {
    const publicOnly = path.join(dir, 'public.pem');
    writeFileSync(publicOnly, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(attempt(publicOnly)).toThrow(/DKIM_PRIVATE_KEY_FILE does not hold an unencrypted PEM private key/);

    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key\n');
    expect(attempt(garbage)).toThrow(/DKIM_PRIVATE_KEY_FILE does not hold/);
  });

  it('refuses a key nodemailer cannot sign with (it would send unsigned without a word)', () => {
    const ed25519 = path.join(dir, 'ed25519.pem');
    writeFileSync(ed25519, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(attempt(ed25519)).toThrow(/DKIM_PRIVATE_KEY_FILE must hold an RSA private key/);
  });
});
