/**
 * `npm run bench:mail`: mails per second through the worker's pooled SMTP transport (`createMailTransport`)
 * to a real SMTP server (nodemailer's `smtp-server`) in this process on 127.0.0.1, for several pool sizes
 * (1 is the baseline, 5 the default of SMTP_MAX_CONNECTIONS). Each mail is rendered as the notification
 * dispatcher composes it (`composeNotificationMessage`: the real Dutch templates, calendar invite and signed
 * links, one mail per recipient) for a firing of the shipped rulebook, for every municipality and region. A
 * second baseline renders the same mails without sending; a third run sends them through the real outbox
 * path (rows in an embedded Postgres, the `OutboxDispatcher` with 5 connections). The server counts mails by their Message-ID (one
 * per business key and recipient): every mail must arrive exactly once (no duplicate, none missing), or the
 * bench exits non-zero.
 * Prints each round and the medians; asserts no timing.
 */
import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { SendMailOptions, Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { mkdirSync, rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../infra/postgres';
import { freePort } from '../infra/supervisor';
import { createDataSource } from '../libs/db/data-source';
import { migrate } from '../libs/db/migrate';
import { loadReferenceData } from '../libs/db/reference-data';
import { storeRulebook } from '../libs/db/rulebook-store';
import { OutboxDispatcher } from '../libs/mail/dispatcher';
import type { HashedRulebook } from '../libs/rulebook/rulebook-files';
import type { DateDerivation } from '../libs/calendar';
import {
  CANCELLATION_FIRING_KEY,
  CHANGE_NOTICE_FIRING_KEY,
  notificationBusinessKey,
  type NotificationKind,
  type NotificationRequest,
  type OwnerKind,
  ownerWorkflowId,
  stepInstanceKey,
} from '../libs/contracts';
import { readReferenceData } from '../libs/db/reference-data';
import { createMailTransport } from '../libs/mail/mailer';
import { mailLinks } from '../libs/mail/links';
import { composeNotificationMessage, outboxMessageId } from '../libs/mail/notification-message';
import { readRulebookDir } from '../libs/rulebook/rulebook-files';
import type { Role, Rulebook, RulebookStep } from '../libs/rulebook/rulebook.schema';
import { dateKindOf, extensionDerivation, planFirings, rulebookDueDate, targetDateDerivation } from '../libs/rulebook/schedule';

const root = path.resolve(__dirname, '..', '..');
const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const MAILS = positive('BENCH_MAILS', 2000);
const ROUNDS = positive('BENCH_ROUNDS', 3);
/** Sends awaiting the transport at once, for every pool size: enough to keep 10 connections busy. */
const IN_FLIGHT = positive('BENCH_IN_FLIGHT', 20);
/** A run that takes longer than this fails the bench instead of hanging. */
const RUN_TIMEOUT_MS = positive('BENCH_RUN_TIMEOUT_S', 300) * 1000;
const POOL_SIZES = (process.env.BENCH_POOL_SIZES ?? '1,5,10').split(',').map(Number);
const RULEBOOK_ID = 'wvrv-2025-07-01.2';
const MAIL_FROM = 'Regie <regie@gemeente.example>';
const PUBLIC_BASE_URL = 'https://regie.example';
const LINK_SECRET = 'bench-link-secret-0123456789abcdef0123';
const REFERENCE_DIR = process.env.REFERENCE_DATA_DIR ?? path.join(root, '..', 'shared', 'domain');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(0);

/** What the workflow hands the notification activity, with the contacts it would look up already resolved. */
interface BenchRequest {
  businessKey: string;
  workflowId: string;
  owner: { kind: OwnerKind; code: string; name: string };
  step: string;
  definition: RulebookStep;
  cycleYear: number | null;
  kind: NotificationKind;
  firingKey: string;
  offsetDays: number;
  rung?: number;
  due: DateDerivation;
  previousDue: DateDerivation | null;
  sequence: number;
  openChecklist: string[];
  /** One mail per recipient, each with its own links and Message-ID (as the dispatcher sends them). */
  recipient: string;
  messageId: string;
}

const slug = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Every reminder and escalation the shipped rulebook plans for each municipality's and region's steps, plus a
 * change notice (an extension) per step and a cancellation (a waiver) per fourth step, in a fixed shuffled
 * order, so the first N mails mix owners, steps and kinds. Recipients as the activity resolves them
 * for the contacts this project has: the programme manager and alderman of a municipality, the coordinator
 * of its region; firings for other roles (province, corporations) have no recipients and send nothing.
 */
function benchRequests(rulebook: Rulebook): BenchRequest[] {
  const reference = readReferenceData(REFERENCE_DIR);
  const regionOf = new Map(reference.members.map((m) => [m.municipalityCode, m.regionCode]));
  const regionName = new Map(reference.regions.map((r) => [r.code, r.name]));
  const owners = [
    ...reference.municipalities.map((m) => ({ kind: 'municipality' as const, code: m.code, name: m.name, region: regionOf.get(m.code)! })),
    ...reference.regions.map((r) => ({ kind: 'region' as const, code: r.code, name: r.name, region: r.code })),
  ];
  const perOwner = owners.map((owner, ownerIndex) => {
    const contacts = (roles: Role[]) => [
      ...(owner.kind === 'municipality' && roles.includes('programme-manager') ? [`programma@${slug(owner.name)}.example`] : []),
      ...(owner.kind === 'municipality' && roles.includes('alderman') ? [`wethouder@${slug(owner.name)}.example`] : []),
      ...(roles.includes('regional-coordinator') ? [`regio@${slug(regionName.get(owner.region)!)}.example`] : []),
    ];
    const workflowId = ownerWorkflowId(owner);
    const requests: (Omit<BenchRequest, 'recipient' | 'messageId'> & { recipients: string[] })[] = [];
    rulebook.steps
      .filter((definition) => definition.scope === owner.kind)
      .forEach((definition, stepIndex) => {
        const cycleYear = definition.date.kind === 'yearly' ? 2027 : null;
        const step = stepInstanceKey(definition.key, cycleYear);
        // A streefdatum as a municipality or region would set it: spread over the first half of 2027.
        const due = rulebookDueDate(rulebook, definition, cycleYear ?? undefined) ??
          targetDateDerivation(`2027-0${1 + ((ownerIndex + stepIndex) % 6)}-${String(1 + (ownerIndex % 28)).padStart(2, '0')}`, owner.name);
        // Some items already checked off, varying per owner.
        const openChecklist = definition.checklist.filter((_, i) => (i + ownerIndex) % 3 !== 0).map((c) => c.key);
        const base = { workflowId, owner, step, definition, cycleYear, openChecklist, previousDue: null, sequence: 0 };
        const allRoles = [...new Set(definition.reminders.flatMap((r) => r.roles))];
        for (const firing of planFirings(rulebook, definition, due.date)) {
          if (firing.kind === 'deadline') continue;
          requests.push({
            ...base,
            businessKey: notificationBusinessKey(workflowId, step, due.date, firing.key),
            kind: firing.kind,
            firingKey: firing.key,
            offsetDays: firing.offsetDays,
            rung: firing.rung,
            due,
            recipients: contacts(firing.roles),
          });
        }
        const extended = extensionDerivation(`${Number(due.date.slice(0, 4)) + 1}${due.date.slice(4)}`, due, 'de gemeenteraad', 'nieuwe woningbouwcijfers');
        requests.push({
          ...base,
          businessKey: notificationBusinessKey(workflowId, step, extended.date, CHANGE_NOTICE_FIRING_KEY),
          kind: 'change-notice',
          firingKey: CHANGE_NOTICE_FIRING_KEY,
          offsetDays: 0,
          due: extended,
          previousDue: due,
          sequence: 1,
          recipients: contacts(allRoles),
        });
        if ((ownerIndex + stepIndex) % 4 === 0) {
          requests.push({
            ...base,
            businessKey: notificationBusinessKey(workflowId, step, due.date, CANCELLATION_FIRING_KEY),
            kind: 'cancellation',
            firingKey: CANCELLATION_FIRING_KEY,
            offsetDays: 0,
            due,
            recipients: contacts(allRoles),
          });
        }
      });
    return requests.flatMap(({ recipients, ...r }) => recipients.map((recipient) => ({ ...r, recipient, messageId: outboxMessageId(r.businessKey, recipient) })));
  });
  // A fixed pseudo-random order (by a hash of the business key), the same every run.
  const order = (r: BenchRequest) => createHash('sha256').update(r.messageId).digest('hex');
  return perOwner
    .flat()
    .map((r) => ({ r, o: order(r) }))
    .sort((a, b) => (a.o < b.o ? -1 : 1))
    .map(({ r }) => r);
}

/**
 * Exactly what the dispatcher sends (libs/mail/notification-message.ts), with signed links. Every rung counts
 * as a mandatory notice here (the bench's recipients are all office holders), so escalations carry no unsubscribe link.
 */
function renderMail(req: BenchRequest, rulebook: Rulebook): SendMailOptions {
  const optional = req.kind !== 'escalation';
  return composeNotificationMessage({
    request: { ...req, dateKind: dateKindOf(req.definition), overdueSince: null, rulebookId: rulebook.id },
    owner: req.owner,
    definition: req.definition,
    recipient: { email: req.recipient, language: 'nl' },
    links: mailLinks({
      secret: LINK_SECRET,
      publicBaseUrl: PUBLIC_BASE_URL,
      recipient: req.recipient,
      language: 'nl',
      optional,
      action: { kind: optional ? 'confirm-receipt' : 'acknowledge', businessKey: req.businessKey, validDays: 30 },
    }),
    from: MAIL_FROM,
    messageId: req.messageId,
    publicBaseUrl: PUBLIC_BASE_URL,
  }).message;
}

/**
 * An SMTP server that counts instead of parsing: it reads each message's header block only (up to the first
 * empty line), notes the Message-ID (and that X-Regie-Business-Key is there), and drains the body. A full `mailparser` parse per
 * mail (test/support/smtp.ts) would cost the shared event loop more than the sending it measures. The first
 * mail of each run is kept whole and parsed once, to check that what arrives is the rendered mail.
 */
class CountingSmtpServer {
  private readonly server: SMTPServer;
  counts = new Map<string, number>();
  received = 0;
  bytes = 0;
  /** Mails without the header, or whose Message-ID is not the one derived from their business key. */
  malformed: string[] = [];
  sample: Buffer | null = null;
  private keepSample = true;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const keep = this.keepSample;
        this.keepSample = false;
        const chunks: Buffer[] = [];
        let head = Buffer.alloc(0);
        let headDone = false;
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (keep) chunks.push(chunk);
          if (headDone) return;
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0 || head.length > 64 * 1024) {
            headDone = true;
            this.count(head.subarray(0, end >= 0 ? end : head.length).toString('latin1'));
          }
        });
        stream.on('end', () => {
          if (!headDone) this.count(head.toString('latin1'));
          this.received++;
          this.bytes += size;
          if (keep) this.sample = Buffer.concat(chunks);
          callback();
        });
        stream.on('error', callback);
      },
    });
  }

  private count(headers: string) {
    const unfolded = headers.replace(/\r\n[ \t]+/g, ' ');
    const field = (name: string) => unfolded.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'))?.[1].trim();
    const key = field('X-Regie-Business-Key');
    const messageId = field('Message-ID');
    if (!key || !messageId) return void this.malformed.push(`no X-Regie-Business-Key or Message-ID (${messageId ?? key})`);
    this.counts.set(messageId, (this.counts.get(messageId) ?? 0) + 1);
  }

  reset() {
    this.counts = new Map();
    this.received = 0;
    this.bytes = 0;
    this.malformed = [];
    this.sample = null;
    this.keepSample = true;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Check {
  received: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  malformed: string[];
}

/** Exactly once at the server: every business key sent arrives once, and nothing else arrives. */
function check(server: CountingSmtpServer, sent: BenchRequest[]): Check {
  const expected = new Set(sent.map((r) => r.messageId));
  let duplicates = 0;
  let unexpected = 0;
  for (const [key, n] of server.counts) {
    if (n > 1) duplicates += n - 1;
    if (!expected.has(key)) unexpected += n;
  }
  const missing = [...expected].filter((key) => !server.counts.has(key)).length;
  return { received: server.received, duplicates, missing, unexpected, malformed: server.malformed };
}

const clean = (c: Check, n: number) => c.received === n && !c.duplicates && !c.missing && !c.unexpected && !c.malformed.length;

async function withTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Renders and sends every request through a new pooled transport, IN_FLIGHT at a time; closes the pool. */
async function sendAll(url: string, maxConnections: number, requests: BenchRequest[], rulebook: Rulebook): Promise<number> {
  const transport: Transporter = createMailTransport(url, maxConnections);
  try {
    const queue = [...requests];
    const started = performance.now();
    await withTimeout(
      `sending ${requests.length} mails with maxConnections ${maxConnections}`,
      Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let req = queue.shift(); req; req = queue.shift()) {
            const info = await transport.sendMail(renderMail(req, rulebook));
            if (info.rejected?.length) throw new Error(`${req.businessKey} to ${req.recipient}: rejected ${info.rejected.join(', ')}`);
          }
        }),
      ),
    );
    return performance.now() - started;
  } finally {
    transport.close();
  }
}

/** The second baseline: the same mails rendered (templates, invite, Message-ID) without sending. */
function renderOnly(requests: BenchRequest[], rulebook: Rulebook): number {
  const started = performance.now();
  let length = 0;
  for (const req of requests) length += (renderMail(req, rulebook).html as string).length;
  if (!length) throw new Error('rendered nothing');
  return performance.now() - started;
}

/** Once per bench: the mail as the server received it is the rendered reminder with its invite. */
async function checkSample(sample: Buffer | null, first: BenchRequest) {
  if (!sample) throw new Error('the server kept no sample mail');
  const parsed = await simpleParser(sample);
  const ics = parsed.attachments.find((a) => a.contentType === 'text/calendar' || a.filename?.endsWith('.ics'));
  const problems = [
    parsed.headers.get('x-regie-business-key') !== first.businessKey && 'business key',
    !parsed.subject?.includes(first.owner.name) && 'subject without the owner',
    !parsed.text?.includes('Hoe deze datum is bepaald') && 'Dutch text',
    !parsed.html && 'HTML part',
    !ics?.content.toString().includes('BEGIN:VEVENT') && 'calendar invite',
  ].filter(Boolean);
  if (problems.length) throw new Error(`the sample mail ${first.businessKey} lacks: ${problems.join(', ')}`);
  return { subject: parsed.subject, size: sample.length };
}

/**
 * The same mails through the real path: notification and outbox rows in an embedded Postgres, sent by the
 * real `OutboxDispatcher` (claim with SKIP LOCKED, render, send, record per mail) with the default pool of 5.
 * Timed from the wake-up until the last row is recorded as sent.
 */
async function outboxRun(databaseUrl: string, url: string, requests: BenchRequest[], hashed: HashedRulebook): Promise<number> {
  const dataSource = createDataSource(databaseUrl, 'bench-mail');
  await dataSource.initialize();
  const transport = createMailTransport(url, 5);
  const dispatcher = new OutboxDispatcher({
    dataSource, databaseUrl, mail: transport, mailFrom: MAIL_FROM, publicBaseUrl: PUBLIC_BASE_URL, linkSecret: LINK_SECRET, actionLinkDays: 30, batchSize: 20,
  });
  try {
    await dataSource.query(`DELETE FROM outbox`);
    await dataSource.query(`DELETE FROM notification`);
    const notifications = new Map(
      requests.map((r) => [
        r.businessKey,
        {
          business_key: r.businessKey, workflow_id: r.workflowId, owner_kind: r.owner.kind, owner_code: r.owner.code, step: r.step,
          step_key: r.definition.key, cycle_year: r.cycleYear, kind: r.kind, firing_key: r.firingKey, rung: r.rung ?? null,
          due_date: r.due.date, rulebook_id: hashed.rulebook.id, recipients: [], status: 'queued',
          request: {
            businessKey: r.businessKey, workflowId: r.workflowId, owner: { kind: r.owner.kind, code: r.owner.code }, step: r.step, stepKey: r.definition.key,
            cycleYear: r.cycleYear, kind: r.kind, firingKey: r.firingKey, offsetDays: r.offsetDays, rung: r.rung, roles: [],
            mandatory: r.kind === 'escalation', dateKind: dateKindOf(r.definition), due: r.due, previousDue: r.previousDue, sequence: r.sequence,
            openChecklist: r.openChecklist, overdueSince: null, rulebookId: hashed.rulebook.id, rulebookHash: hashed.hash, stateSeq: 0,
          } satisfies NotificationRequest,
        },
      ]),
    );
    await dataSource.query(
      `INSERT INTO notification (business_key, workflow_id, owner_kind, owner_code, step, step_key, cycle_year, kind, firing_key, rung, due_date, rulebook_id,
         recipients, status, request)
       SELECT business_key, workflow_id, owner_kind, owner_code, step, step_key, cycle_year, kind, firing_key, rung, due_date, rulebook_id, '{}', status, request
       FROM jsonb_to_recordset($1) AS x(business_key text, workflow_id text, owner_kind text, owner_code text, step text, step_key text, cycle_year integer,
         kind text, firing_key text, rung integer, due_date date, rulebook_id text, status text, request jsonb)`,
      [JSON.stringify([...notifications.values()])],
    );
    await dataSource.query(
      `INSERT INTO outbox (kind, business_key, recipient, organisation_key, organisation_name, language, delivery, optional, status, message_id)
       SELECT 'notification', business_key, recipient, 'bench', 'Bench', 'nl', 'immediate', optional, 'pending', message_id
       FROM jsonb_to_recordset($1) AS x(business_key text, recipient text, optional boolean, message_id text)`,
      [JSON.stringify(requests.map((r) => ({ business_key: r.businessKey, recipient: r.recipient, optional: r.kind !== 'escalation', message_id: r.messageId })))],
    );
    const started = performance.now();
    await dispatcher.start();
    await withTimeout(`sending ${requests.length} mails through the outbox`, (async () => {
      for (;;) {
        const [{ open }] = await dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE status <> 'sent'`);
        if (open === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })());
    return performance.now() - started;
  } finally {
    await dispatcher.stop();
    transport.close();
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  if (POOL_SIZES.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) throw new Error('BENCH_POOL_SIZES must be whole numbers from 1 to 100');
  const rulebook = readRulebookDir(path.join(root, 'libs', 'rulebook', 'versions')).find((h) => h.rulebook.id === RULEBOOK_ID)?.rulebook;
  if (!rulebook) throw new Error(`rulebook ${RULEBOOK_ID} not found`);
  const available = benchRequests(rulebook);
  if (available.length < MAILS) throw new Error(`BENCH_MAILS ${MAILS}: the rulebook plans only ${available.length} distinct mails`);
  const requests = available.slice(0, MAILS);
  const owners = new Set(requests.map((r) => r.workflowId)).size;
  const perKind = new Map<string, number>();
  for (const r of requests) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
  const kinds = [...perKind].map(([kind, n]) => `${n} ${kind}`).join(', ');

  const hashed = readRulebookDir(path.join(root, 'libs', 'rulebook', 'versions')).find((h) => h.rulebook.id === RULEBOOK_ID)!;
  const scratch = path.join(root, '.data', `bench-mail-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: await freePort(), database: 'postgres', log: () => undefined });
  {
    const setup = createDataSource(pg.url, 'bench-mail-setup');
    await setup.initialize();
    await migrate(setup);
    await loadReferenceData(setup, REFERENCE_DIR);
    await storeRulebook(setup, hashed, 'file');
    await setup.destroy();
  }
  const outboxRuns: number[] = [];
  const server = new CountingSmtpServer();
  const port = await freePort();
  await server.listen(port);
  const url = `smtp://127.0.0.1:${port}`;
  let failed = false;
  const runs: { round: number; maxConnections: number; ms: number }[] = [];
  const renders: number[] = [];
  try {
    console.log(`${MAILS} mails for ${owners} municipalities and regions (${kinds}), rulebook ${RULEBOOK_ID}; SMTP server in this process on ${url}`);
    console.log(`pool sizes ${POOL_SIZES.join(', ')}, ${IN_FLIGHT} sends in flight, ${ROUNDS} rounds\n`);

    // Warm-up, not counted: compiles the templates and warms the JIT; the sample mail is checked once.
    const warmUp = requests.slice(0, Math.min(200, MAILS));
    server.reset();
    await sendAll(url, 5, warmUp, rulebook);
    const sample = await checkSample(server.sample, warmUp[0]);
    const w = check(server, warmUp);
    if (!clean(w, warmUp.length)) throw new Error(`warm-up: ${JSON.stringify(w)}`);
    console.log(`warm-up: ${warmUp.length} mails, each received once; first mail ${(sample.size / 1024).toFixed(1)} KB: "${sample.subject}"\n`);

    for (let round = 1; round <= ROUNDS; round++) {
      const render = renderOnly(requests, rulebook);
      renders.push(render);
      const parts = [`render only ${seconds(render)} s (${rate(MAILS, render)}/s)`];
      for (const maxConnections of POOL_SIZES) {
        server.reset();
        const ms = await sendAll(url, maxConnections, requests, rulebook);
        const c = check(server, requests);
        runs.push({ round, maxConnections, ms });
        parts.push(
          `maxConnections ${maxConnections}: ${seconds(ms)} s (${rate(MAILS, ms)}/s), received ${c.received}, ` +
            `duplicates ${c.duplicates}, missing ${c.missing}` +
            (c.unexpected ? `, unexpected ${c.unexpected}` : '') +
            (c.malformed.length ? `, malformed ${c.malformed.length} (first: ${c.malformed[0]})` : '') +
            `, ${(server.bytes / c.received / 1024).toFixed(1)} KB/mail`,
        );
        if (!clean(c, MAILS)) failed = true;
      }
      server.reset();
      const ms = await outboxRun(pg.url, url, requests, hashed);
      const c = check(server, requests);
      outboxRuns.push(ms);
      parts.push(`outbox + dispatcher (5 connections): ${seconds(ms)} s (${rate(MAILS, ms)}/s), received ${c.received}, duplicates ${c.duplicates}, missing ${c.missing}`);
      if (!clean(c, MAILS)) failed = true;
      console.log(`round ${round}:\n  ${parts.join('\n  ')}`);
    }
  } finally {
    await server.close();
    await pg.stop();
    rmSync(scratch, { recursive: true, force: true });
  }

  const renderMedian = median(renders);
  console.log(`\nmedian of ${ROUNDS} rounds (${MAILS} mails, ${IN_FLIGHT} in flight, server in the same process):`);
  console.log(`  render only (templates, invite, Message-ID)   ${seconds(renderMedian)} s   ${rate(MAILS, renderMedian)} mails/s`);
  for (const maxConnections of POOL_SIZES) {
    const ms = median(runs.filter((r) => r.maxConnections === maxConnections).map((r) => r.ms));
    console.log(
      `  maxConnections ${String(maxConnections).padEnd(3)} render + send            ${seconds(ms)} s   ${rate(MAILS, ms).padStart(4)} mails/s   ` +
        `render ${((renderMedian / ms) * 100).toFixed(0)}% of it`,
    );
  }
  const outboxMs = median(outboxRuns);
  console.log(`  outbox + dispatcher, 5 connections (claim, render, send, record)  ${seconds(outboxMs)} s   ${rate(MAILS, outboxMs)} mails/s`);
  if (failed) {
    console.error('\nFAILED: a run did not receive every mail exactly once (see the rounds above)');
    process.exitCode = 1;
  } else {
    console.log(`  duplicates at the server 0, missing 0 (every run)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
