import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findRulebook, RulebookConflictError, storeRulebook } from '../../../../libs/db/rulebook-store';
import { HashedRulebook, hashRulebook } from '../../../../libs/rulebook/rulebook-files';
import { parseRulebook, RulebookValidationError } from '../../../../libs/rulebook/rulebook.schema';
import { RegieError } from '../errors/regie-error';

/** Rulebook versions: stored immutably with their content hash; shipped ones from files, others published here. */
@Injectable()
export class RulebooksService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  list() {
    return this.dataSource.query(
      `SELECT id, content->>'title' AS title, content->>'effectiveDate' AS "effectiveDate", content_hash AS hash, source, published_at AS "publishedAt"
       FROM rulebook_version ORDER BY published_at, id`,
    );
  }

  /** The stored version, or a 404 that names the field `id`. */
  async require(id: string): Promise<HashedRulebook> {
    const found = await findRulebook(this.dataSource, id);
    if (!found) throw new RegieError('rulebook-not-found', 'not-found', `Regelboek ${id} bestaat niet / Unknown rulebook version`, 'id');
    return found;
  }

  async publish(body: unknown): Promise<{ id: string; hash: string; result: 'stored' | 'unchanged' }> {
    let hashed;
    try {
      hashed = hashRulebook(parseRulebook(body, 'request body'));
    } catch (err) {
      if (!(err instanceof RulebookValidationError)) throw err;
      const [first] = err.issues;
      throw new RegieError('invalid-rulebook', 'invalid-input', `Ongeldig regelboek, veld ${first.field}: ${first.message}`, first.field);
    }
    try {
      const result = await storeRulebook(this.dataSource, hashed, 'operator');
      return { id: hashed.rulebook.id, hash: hashed.hash, result };
    } catch (err) {
      if (err instanceof RulebookConflictError) throw new RegieError('rulebook-conflict', 'conflict', err.message, 'id');
      throw err;
    }
  }
}
