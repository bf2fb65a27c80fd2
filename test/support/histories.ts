import type { WorkflowHandle } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const historiesDir = path.join(__dirname, '..', 'replay', 'histories');

/**
 * With RECORD_HISTORIES=1 (`npm run record:histories`), saves a workflow's history from a real run so
 * the replay test can prove that later changes to workflow code do not break running workflows.
 * Record again only on purpose: a history is a promise to the workflows that run today.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  const history = await handle.fetchHistory();
  // protobufjs's own JSON form (enum names, 64-bit numbers as strings); the replay test reads it back with historyFromJSON.
  writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history }, null, 1));
}
