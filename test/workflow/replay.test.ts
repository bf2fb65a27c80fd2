/**
 * Histories recorded from real runs (done, extended, waived, rulebook change, continue-as-new, ...) replay
 * against today's workflow code: a change that would break running workflows fails CI, not production.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../apps/worker/src/worker-options';
import { historiesDir } from '../support/histories';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Every committed set (`v1/`, `v2/`, ...): each holds histories of code that may still be running. */
function histories() {
  return readdirSync(historiesDir)
    .sort()
    .flatMap((set) => readdirSync(path.join(historiesDir, set)).filter((f) => f.endsWith('.json')).sort().map((f) => `${set}/${f}`))
    .map((file) => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'));
      // The files hold protobufjs's JSON form; fromObject reads it back (the SDK's historyFromJSON trips over
      // two protobufjs copies in this install).
      return { file, workflowId, history: temporal.api.history.v1.History.fromObject(history) };
    });
}

async function replay(workflowsPath: string) {
  const results: { file: string; error?: Error }[] = [];
  const all = histories();
  // runReplayHistories returns an error per history instead of throwing: collect them all. With the workflow
  // interceptors production registers (the correlation id), which must replay every history too.
  const options = { workflowsPath, replayName: 'regie-replay', interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }, bundlerOptions: { logger: quietLogger } as object };
  for await (const result of Worker.runReplayHistories(options, all)) {
    results.push({ file: all.find((h) => h.workflowId === result.workflowId && !results.some((r) => r.file === h.file))!.file, error: result.error });
  }
  return results;
}

test('the committed histories cover the cases that matter', () => {
  expect(histories().map((h) => h.file)).toEqual(
    expect.arrayContaining(['continue-as-new', 'done', 'extended', 'rulebook-change', 'waived', 'rulebook-rollout'].flatMap((n) => [`v2/${n}.json`, `v3/${n}.json`]).concat('v1/done.json')),
  );
});

test('every recorded history replays against the current workflow code', async () => {
  const results = await replay(require.resolve('../../workflows'));
  expect(results).toHaveLength(histories().length);
  expect(results.filter((r) => r.error).map((r) => `${r.file}: ${r.error}`)).toEqual([]);
});

test('a change made without patched() fails the replay (the test has teeth)', async () => {
  const programmes = histories().filter((h) => !h.workflowId.startsWith('rulebook-rollout-'));
  const results = (await replay(path.join(__dirname, '..', 'fixtures', 'incompatible-workflows'))).filter((r) => programmes.some((h) => h.file === r.file));
  expect(results).toHaveLength(programmes.length);
  for (const result of results) expect(result.error?.name).toBe('DeterminismViolationError');
});

test('the same change guarded with patched() replays cleanly', async () => {
  const results = await replay(path.join(__dirname, '..', 'fixtures', 'patched-workflows'));
  expect(results.filter((r) => r.error).map((r) => `${r.file}: ${r.error}`)).toEqual([]);
});
