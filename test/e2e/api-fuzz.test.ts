/**
 * The contract, fuzzed: schemathesis (installed from PyPI by infra/install-tools.sh) reads the API's own
 * OpenAPI (`/docs-json`) and sends what it describes, and what it forbids, to the real API on a real
 * Postgres and Temporal with the worker running. Four checks, every one must hold on every case:
 * - `not_a_server_error`: no 5xx (everything is up, so a 503 is a bug too);
 * - `status_code_conformance`: every status is one the route declares (`@Responds`, apps/api/src/edge/responses.ts);
 * - `response_schema_conformance`: every body has the declared shape (the one error shape, the health body);
 * - `negative_data_rejection`: a request the OpenAPI forbids (a broken pattern, a length past its limit,
 *   a missing required field or body, null for a string) is refused with a 4xx, never accepted.
 * Two runs: the routes of one step (its writes and its sent log) with their path pinned to an open step of
 * an onboarded municipality, so the bodies reach the workflow, each route sent as the one who may write it
 * (the municipality's programme manager; for an extension or a waiver its province), since the operator may
 * not make step writes and a refusal comes before any body check; then the whole API as the operator with
 * generated paths (most path parameters find nothing: 404s; its onboarding of everyone keeps the worker busy,
 * hence second).
 * Bounded (`--max-examples`) and deterministic, so a failure reproduces; the report is the test's message.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { actorToken } from '../support/access';
import { TEST_ADMIN_TOKEN, withEnv } from '../support/config';
import { startTestSystem, TestSystem } from '../support/system';

const SCHEMATHESIS = path.resolve(__dirname, '..', '..', '.tools', 'venv', 'bin', 'schemathesis');
const CHECKS = 'not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection';
const MAX_EXAMPLES = '10';
/** One client sends thousands of requests: the per-client limits (300 a minute, 20 refused mail links, 10 sign-in requests) would answer most with 429. */
const LIMITS = { REGIE_RATE_LIMIT: '1000000', REGIE_MAIL_LINK_REFUSAL_LIMIT: '1000000', REGIE_SIGN_IN_LIMIT: '1000000' };
/** A target-date step of GM0363 (the test rulebook), open after onboarding: every step write applies to it. */
const PINNED_STEP = { collection: 'municipalities', code: 'GM0363', step: 'wmo-beleidsplan' };
/** GM0363's province (Noord-Holland), which decides extensions and waivers. */
const PINNED_PROVINCE = 'PV27';

let sys: TestSystem;
let workDir: string;
/** Read-write tokens of GM0363's programme manager and of its province. */
let programmeManager: string;
let province: string;


beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} not found: run bash infra/install-tools.sh (npm test does), which installs schemathesis from PyPI`);
  // schemathesis writes its state (.schemathesis/, .hypothesis/) to the working directory: a fresh one per run.
  workDir = mkdtempSync(path.join(tmpdir(), 'regie-fuzz-'));
  sys = await withEnv(LIMITS, () => startTestSystem('e2e-fuzz'));
  const onboarded = await sys.api.request('POST', '/onboardings', { municipalityCode: PINNED_STEP.code, programmeManagerEmail: 'pm@amsterdam.example' });
  expect(onboarded.status).toBe(201);
  const step = `/${PINNED_STEP.collection}/${PINNED_STEP.code}/steps/${PINNED_STEP.step}`;
  for (let i = 0; i < 100 && (await sys.api.request('GET', step)).status !== 200; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await sys.api.request('GET', step)).body).toMatchObject({ status: 'open' });
  programmeManager = await actorToken(sys.api, 'programme-manager', PINNED_STEP.code);
  province = await actorToken(sys.api, 'province', PINNED_PROVINCE);
});

afterAll(async () => {
  await sys?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs schemathesis against the API's OpenAPI with `token` as the credential; resolves with its exit code and everything it printed. */
function schemathesis(args: string[], token: string): Promise<{ code: number | null; report: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      SCHEMATHESIS,
      [
        ...args.slice(0, args.indexOf('run') + 1),
        `${sys.api.baseUrl}/docs-json`,
        '--checks',
        CHECKS,
        '--max-examples',
        MAX_EXAMPLES,
        // Deterministic: the same cases every run (and no example database kept between runs).
        '--generation-deterministic',
        '--header',
        `Authorization: Bearer ${token}`,
        '--no-color',
        ...args.slice(args.indexOf('run') + 1),
      ],
      { cwd: workDir, env: { ...process.env, NO_COLOR: '1' } },
    );
    let report = '';
    child.stdout.on('data', (chunk) => (report += chunk));
    child.stderr.on('data', (chunk) => (report += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, report }));
  });
}

/** Passes when schemathesis exits 0; otherwise fails with its whole report (the failing cases, each with a curl to reproduce it). */
async function expectClean(name: string, args: string[], token = TEST_ADMIN_TOKEN): Promise<void> {
  const { code, report } = await schemathesis(args, token);
  if (code !== 0) throw new Error(`schemathesis (${name}) exited ${code}:\n${report}`);
  console.log(`schemathesis (${name}): ${report.match(/\d+ generated, \d+ passed/)?.[0] ?? 'clean'}`);
}

test('every step route answers within its contract: paths pinned to an open step of an onboarded municipality', async () => {
  const config = path.join(workDir, 'pinned-step.toml');
  writeFileSync(
    config,
    [
      '[[operations]]',
      'include-path-regex = "/steps/\\\\{step\\\\}/"',
      `parameters = { collection = "${PINNED_STEP.collection}", code = "${PINNED_STEP.code}", step = "${PINNED_STEP.step}" }`,
      '',
    ].join('\n'),
  );
  // Filters of one kind are or-ed: paths, not also a method. The step's own work and its sent log as its programme manager...
  await expectClean('one step, pinned, programme manager', ['--config-file', config, 'run', '--include-path-regex', '/steps/\\{step\\}/(progress|complete|target-date|notifications)$'], programmeManager);
  // ...the province's decisions as the province.
  await expectClean('one step, pinned, province', ['--config-file', config, 'run', '--include-path-regex', '/steps/\\{step\\}/(extension|waiver)$'], province);
});

test('every route answers within its contract: whole API, generated paths', async () => {
  await expectClean('whole API', ['run']);
});
