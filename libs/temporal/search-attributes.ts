import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../contracts';

const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/**
 * Registers Regie's search attributes (municipality, province, region, open steps, overdue) in the
 * namespace, so the Temporal UI can filter on them. Idempotent: attributes already there are kept.
 * A managed cluster may refuse this API (Temporal Cloud): register them there once with its own tools.
 */
export async function registerSearchAttributes(connection: Connection | NativeConnection, namespace: string): Promise<void> {
  const wanted = Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, indexedType[key.type]]));
  const service = connection.operatorService;
  const existing = await service.listSearchAttributes({ namespace }).catch(() => null);
  const missing = Object.fromEntries(Object.entries(wanted).filter(([name]) => !existing?.customAttributes?.[name]));
  if (Object.keys(missing).length) await service.addSearchAttributes({ namespace, searchAttributes: missing });
}
