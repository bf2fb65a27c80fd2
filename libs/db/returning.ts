import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows of an `UPDATE … RETURNING` or `DELETE … RETURNING`: TypeORM's Postgres driver answers those as
 * `[rows, count]` (an INSERT or SELECT answers the rows themselves).
 */
export async function changedRows<T = Record<string, any>>(db: Pick<DataSource | EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = (await db.query(sql, params)) as [T[], number];
  return rows;
}
