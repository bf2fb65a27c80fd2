import type { WorkflowHandle } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const historiesDir = path.join(__dirname, '..', 'replay', 'histories');
/**
 * Each recording goes to a set of its own: sets already committed stay, because workflows started on
 * that code may still run. Start a new set when the workflow code changed (behind patched()).
 */
const RECORDING_SET = 'v6';

/**
 * With RECORD_HISTORIES=1 (`npm run record:histories`), saves a workflow's history from a real run so
 * the replay test can prove that later changes to workflow code do not break running workflows.
 * Record again only on purpose: a history is a promise to the workflows that run today.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const dir = path.join(historiesDir, RECORDING_SET);
  mkdirSync(dir, { recursive: true });
  const history = await handle.fetchHistory();
  // protobufjs's own JSON form (enum names, 64-bit numbers as strings); the replay test reads it back with historyFromJSON.
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history }, null, 1));
}
