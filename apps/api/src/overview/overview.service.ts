import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { utcToAmsterdamDate, type IsoDate } from '../../../../libs/calendar';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import type { InstanceDetail } from './overview-export';
import { buildOverview, type Overview, type OverviewRow, type OverviewStep } from '../../../../libs/overview/overview';

/** The read model's fingerprint: what the overview is built from (steps and region membership), in one query; used while not listening. */
const FINGERPRINT_SQL = `SELECT md5(
    coalesce((SELECT string_agg(concat_ws('|', owner_kind, owner_code, step, status, overdue, late, due_date, date_kind, rulebook_id), ',' ORDER BY owner_kind, owner_code, step) FROM step_state), '')
    || coalesce((SELECT string_agg(region_code || municipality_code, ',' ORDER BY region_code, municipality_code) FROM region_member rm JOIN region r ON r.code = rm.region_code WHERE r.grouping = $1), '')
    || (SELECT count(*) FROM municipality)::text || (SELECT count(*) FROM region WHERE grouping = $1)::text
  ) AS fingerprint`;

interface Built {
  key: string;
  overview: Overview;
  /** The JSON body and its entity tag, made once per version. */
  json: Buffer;
  etag: string;
}

/** The channel the read model's triggers notify (migration ReadModelNotify1796457600000). */
const CHANNEL = 'read_model_changed';

/**
 * The national overview (libs/overview/overview.ts) from the read model, built once per version and served
 * from memory. The version: while this process listens to the read model's `NOTIFY read_model_changed`
 * (delivered at each commit that touched it), a counter of those notifications, so a request costs no query
 * at all; while it does not (the listening connection lost, until it is back), the fingerprint query on
 * every request. Either way the date in Amsterdam is part of it ("due soon" moves with the day), and
 * concurrent requests after a change wait for one rebuild.
 */
@Injectable()
export class OverviewService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Overview');
  private built: Built | null = null;
  private building: { key: string; promise: Promise<Built> } | null = null;
  private listener: PgClient | null = null;
  private listening = false;
  private changes = 0;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.listener?.end().catch(() => undefined);
  }

  /** LISTEN on a connection of its own; on any loss, back to the fingerprint until it listens again (every 5 s). */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new PgClient({ connectionString: this.config.databaseUrl, application_name: 'regie-api-overview' });
    const lost = (err?: Error) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = null;
      this.changes++;
      if (err) this.logger.warn(`not listening to read-model changes (${err.message}); asking the database on each request until back`);
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.listen(), 5_000).unref();
    };
    client.on('notification', () => this.changes++);
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Anything committed before LISTEN took effect is not notified: count it as a change.
      this.changes++;
      this.listening = true;
    } catch (err) {
      lost(err as Error);
    }
  }

  async current(): Promise<Built> {
    const today = utcToAmsterdamDate(Date.now());
    const version = this.listening ? `n${this.changes}` : `f${(await this.db.query(FINGERPRINT_SQL, [this.config.regionGrouping]))[0].fingerprint}`;
    const key = `${version}:${today}`;
    if (this.built?.key === key) return this.built;
    if (this.building?.key !== key) {
      const promise = this.build(key, today).finally(() => {
        if (this.building?.promise === promise) this.building = null;
      });
      this.building = { key, promise };
    }
    return this.building.promise;
  }

  private async build(key: string, today: IsoDate): Promise<Built> {
    const grouping = this.config.regionGrouping;
    const [rows, provinces, municipalities, regions, members] = await Promise.all([
      this.db.query(
        `SELECT owner_kind, owner_code, step, step_key, cycle_year, status, overdue, late, due_date::text, date_kind, rulebook_id FROM step_state`,
      ),
      this.db.query(`SELECT code, name FROM province`),
      this.db.query(`SELECT code, name, province_code FROM municipality`),
      this.db.query(`SELECT code, name FROM region WHERE grouping = $1`, [grouping]),
      this.db.query(`SELECT rm.region_code, rm.municipality_code FROM region_member rm JOIN region r ON r.code = rm.region_code WHERE r.grouping = $1`, [grouping]),
    ]);
    const stepRows: OverviewRow[] = rows.map((r: Record<string, never>) => ({
      ownerKind: r.owner_kind,
      ownerCode: r.owner_code,
      step: r.step,
      stepKey: r.step_key,
      cycleYear: r.cycle_year,
      status: r.status,
      overdue: r.overdue,
      late: r.late,
      dueDate: r.due_date,
      dateKind: r.date_kind,
      rulebookId: r.rulebook_id,
    }));
    const overview = buildOverview({
      today,
      steps: await this.steps(stepRows),
      provinces,
      municipalities: municipalities.map((m: Record<string, string>) => ({ code: m.code, name: m.name, provinceCode: m.province_code })),
      regions,
      members: members.map((m: Record<string, string>) => ({ regionCode: m.region_code, municipalityCode: m.municipality_code })),
      rows: stepRows,
    });
    const json = Buffer.from(JSON.stringify(overview));
    const built = { key, overview, json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
    // A build for a key that is no longer current is still answered to who waited for it, but not kept.
    if (!this.built || this.building?.key === key) this.built = built;
    return built;
  }

  /** What the exports add per instance: the date's derivation in words and the rulebook version. One query. */
  async details(): Promise<Map<string, InstanceDetail>> {
    const rows = await this.db.query(`SELECT owner_kind, owner_code, step, derivation->>'text' AS derivation, rulebook_id FROM step_state`);
    return new Map(rows.map((r: Record<string, string>) => [`${r.owner_kind}:${r.owner_code}:${r.step}`, { derivation: r.derivation, rulebookId: r.rulebook_id }]));
  }

  /** The contacts an export may name (personal data: the export shows them only within the caller's scope): programme managers and regional coordinators, per owner. */
  async contacts(): Promise<Map<string, string[]>> {
    const rows = await this.db.query(
      `SELECT o.kind, o.code, c.email, c.name FROM contact c JOIN organisation o ON o.key = c.organisation_key
        WHERE o.kind IN ('municipality', 'region') AND c.role IN ('programme-manager', 'regional-coordinator') ORDER BY o.code, c.email`,
    );
    const contacts = new Map<string, string[]>();
    for (const r of rows) {
      const key = `${r.kind}:${r.code}`;
      (contacts.get(key) ?? contacts.set(key, []).get(key)!).push(r.name ? `${r.name} <${r.email}>` : r.email);
    }
    return contacts;
  }

  /**
   * The step keys of the overview: the default rulebook's, and any other key a rulebook in use has (a
   * law change may add or drop one); names and numbers from the default rulebook where it has the key.
   */
  private async steps(rows: OverviewRow[]): Promise<OverviewStep[]> {
    const ids = [this.config.defaultRulebookId, ...new Set(rows.map((r) => r.rulebookId))];
    const steps = new Map<string, OverviewStep>();
    for (const id of new Set(ids)) {
      const book = await findRulebook(this.db, id);
      for (const s of book?.rulebook.steps ?? []) {
        if (!steps.has(s.key)) steps.set(s.key, { key: s.key, number: s.number ?? steps.size + 1, nameNl: s.nameNl, nameEn: s.nameEn, scope: s.scope });
      }
    }
    return [...steps.values()];
  }
}
