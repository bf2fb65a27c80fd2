import { DataSource } from 'typeorm';
import { HashedRulebook } from '../rulebook/rulebook-files';
import { parseRulebook } from '../rulebook/rulebook.schema';

export class RulebookConflictError extends Error {
  constructor(readonly rulebookId: string) {
    super(`Rulebook version ${rulebookId} already exists with different content; versions are immutable, publish a new id`);
    this.name = 'RulebookConflictError';
  }
}

/**
 * Stores a rulebook version once. Storing the same content again is a no-op; other content under an
 * existing id is refused, because running workflows follow a version by id and hash.
 */
export async function storeRulebook(dataSource: DataSource, { rulebook, hash }: HashedRulebook, source: 'file' | 'operator'): Promise<'stored' | 'unchanged'> {
  const inserted: unknown[] = await dataSource.query(
    `INSERT INTO rulebook_version (id, content, content_hash, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [rulebook.id, JSON.stringify(rulebook), hash, source],
  );
  if (inserted.length) return 'stored';
  const [existing] = await dataSource.query(`SELECT content_hash FROM rulebook_version WHERE id = $1`, [rulebook.id]);
  if (existing.content_hash !== hash) throw new RulebookConflictError(rulebook.id);
  return 'unchanged';
}

export async function findRulebook(dataSource: DataSource, id: string): Promise<HashedRulebook | null> {
  const [row] = await dataSource.query(`SELECT content, content_hash FROM rulebook_version WHERE id = $1`, [id]);
  return row ? { rulebook: parseRulebook(row.content, `rulebook_version ${id}`), hash: row.content_hash } : null;
}
