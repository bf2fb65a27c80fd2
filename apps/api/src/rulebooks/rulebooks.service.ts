import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findRulebook, RulebookConflictError, storeRulebook } from '../../../../libs/db/rulebook-store';
import { HashedRulebook, hashRulebook } from '../../../../libs/rulebook/rulebook-files';
import { parseRulebook, RulebookValidationError } from '../../../../libs/rulebook/rulebook.schema';
import { Keyset, keysetPage, PageRequest } from '../edge/paging';
import { RegieError } from '../errors/regie-error';

const AS_PUBLISHED = new Keyset([
  { sql: 'rulebook_version.published_at', type: 'timestamp' },
  { sql: 'rulebook_version.id', type: 'text' },
]);

/** Rulebook versions: stored immutably with their content hash; shipped ones from files, others published here. */
@Injectable()
export class RulebooksService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** A page of the stored versions, in the order published (the id, the primary key, between versions of one moment). */
  list(page: PageRequest) {
    return keysetPage(
      this.dataSource,
      {
        select: `id, content->>'title' AS title, content->>'effectiveDate' AS "effectiveDate", content_hash AS hash, source, published_at AS "publishedAt"`,
        from: 'rulebook_version',
      },
      AS_PUBLISHED,
      page,
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
