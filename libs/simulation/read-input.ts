/**
 * The simulation's input from a running system's database: the onboarded owners with the input their
 * workflow started with (owner, rulebook version, initial steps) and when, every update their workflow
 * accepted since (from the read model's history, replayed through the same model), the contacts and the
 * addresses named at onboarding, and every address's preference. The only I/O of the simulation; the
 * computation (`simulate`) is pure. Where each owner belongs comes from `findOwnerScope`, as the
 * notification activity reads it (`findOwnerScopes`, all owners in two queries).
 */
import type { DataSource } from 'typeorm';
import type { InitialStepState, OrganisationKind, OwnerRef, ProgrammeWorkflowInput } from '../contracts';
import { findOwnerScopes, ownerScopeKey } from '../db/owner-scope';
import type { MailPreferenceState, RecipientCandidate } from '../mail/recipient-rules';
import type { TimedUpdate } from '../programme/step-loop';
import type { UpdateInput } from '../programme/updates';
import type { HashedRulebook } from '../rulebook/rulebook-files';
import { parseRulebook } from '../rulebook/rulebook.schema';
import type { SimulatedOwner } from './simulate';

export interface StoredInput {
  owners: SimulatedOwner[];
  candidates: RecipientCandidate[];
  preferences: Map<string, MailPreferenceState>;
  rulebooks: Map<string, HashedRulebook>;
  /** Owners left out, with why (a rulebook version the database does not hold). */
  skipped: string[];
  /** Updates read from the history. */
  updates: number;
}

interface OwnerRow {
  code: string;
  name: string;
  workflow_id: string;
  rulebook_id: string;
  initial_steps: Record<string, InitialStepState> | null;
  workflow_started_at: Date;
  province_code: string | null;
  province_name: string | null;
  region_code: string | null;
  region_name: string | null;
}

/** The history events that are updates, and how each becomes the update the workflow received. */
const UPDATE_EVENTS = ['progress', 'done', 'target-date-set', 'extended', 'waived', 'rulebook-applied'] as const;

export async function readSimulationInput(db: DataSource, grouping: string): Promise<StoredInput> {
  const rulebooks = new Map<string, HashedRulebook>();
  for (const row of await db.query(`SELECT id, content, content_hash FROM rulebook_version ORDER BY seq`)) {
    rulebooks.set(row.id, { rulebook: parseRulebook(row.content, `rulebook_version ${row.id}`), hash: row.content_hash });
  }

  // The owner as the onboarding service hands it to the workflow (OnboardingService.owners).
  const municipalities: OwnerRow[] = await db.query(
    `SELECT o.municipality_code AS code, m.name, o.workflow_id, o.rulebook_id, o.initial_steps, o.workflow_started_at,
       p.code AS province_code, p.name AS province_name, r.code AS region_code, r.name AS region_name
     FROM onboarding o JOIN municipality m ON m.code = o.municipality_code JOIN province p ON p.code = m.province_code
     LEFT JOIN region_member rm ON rm.municipality_code = m.code AND rm.region_code IN (SELECT code FROM region WHERE grouping = $1)
     LEFT JOIN region r ON r.code = rm.region_code
     WHERE o.workflow_started_at IS NOT NULL ORDER BY o.municipality_code`,
    [grouping],
  );
  const regions: OwnerRow[] = await db.query(
    `SELECT ro.region_code AS code, r.name, ro.workflow_id, ro.rulebook_id, ro.initial_steps, ro.workflow_started_at,
       min(p.code) AS province_code, min(p.name) AS province_name, r.code AS region_code, r.name AS region_name
     FROM region_onboarding ro JOIN region r ON r.code = ro.region_code
     JOIN region_member rm ON rm.region_code = r.code JOIN municipality m ON m.code = rm.municipality_code JOIN province p ON p.code = m.province_code
     WHERE ro.workflow_started_at IS NOT NULL
     GROUP BY ro.region_code, r.code, r.name, ro.workflow_id, ro.rulebook_id, ro.initial_steps, ro.workflow_started_at ORDER BY ro.region_code`,
  );

  const history: { workflow_id: string; step: string; event: (typeof UPDATE_EVENTS)[number]; detail: Record<string, any>; occurred_at: Date }[] = await db.query( // eslint-disable-line @typescript-eslint/no-explicit-any
    `SELECT workflow_id, step, event, detail, occurred_at FROM step_event WHERE event = ANY($1::text[]) ORDER BY workflow_id, seq`,
    [UPDATE_EVENTS],
  );
  const updatesOf = new Map<string, TimedUpdate[]>();
  let updates = 0;
  for (const row of history) {
    const list = updatesOf.get(row.workflow_id) ?? (updatesOf.set(row.workflow_id, []), updatesOf.get(row.workflow_id)!);
    const at = row.occurred_at.getTime();
    const update = updateOf(row, rulebooks);
    if (!update) continue;
    // One rulebook change writes a row per step at one moment: one update.
    const last = list[list.length - 1];
    if (update.kind === 'applyRulebook' && last?.at === at && last.update.kind === 'applyRulebook' && last.update.input.rulebookHash === update.input.rulebookHash) continue;
    list.push({ at, update });
    updates += 1;
  }

  const skipped: string[] = [];
  const owners: SimulatedOwner[] = [];
  const scopes = await findOwnerScopes(
    db.manager,
    [...regions.map((r) => ({ kind: 'region' as const, code: r.code })), ...municipalities.map((m) => ({ kind: 'municipality' as const, code: m.code }))],
    grouping,
  );
  for (const [kind, rows] of [['region', regions], ['municipality', municipalities]] as const) {
    for (const row of rows) {
      const rulebook = rulebooks.get(row.rulebook_id);
      if (!rulebook) {
        skipped.push(`${row.workflow_id}: regelboek ${row.rulebook_id} staat niet in de database / rulebook not in the database`);
        continue;
      }
      const scope = scopes.get(ownerScopeKey({ kind, code: row.code }));
      if (!scope) {
        skipped.push(`${row.workflow_id}: onbekende ${kind} / unknown owner`);
        continue;
      }
      const owner: OwnerRef = {
        kind,
        code: row.code,
        name: row.name,
        provinceCode: row.province_code,
        provinceName: row.province_name,
        regionCode: row.region_code,
        regionName: row.region_name,
      };
      const input: ProgrammeWorkflowInput = { owner, rulebook: rulebook.rulebook, rulebookHash: rulebook.hash, initialSteps: row.initial_steps ?? undefined };
      owners.push({ workflowId: row.workflow_id, input, startedAt: row.workflow_started_at.getTime(), updates: updatesOf.get(row.workflow_id) ?? [], scope });
    }
  }

  const candidates: RecipientCandidate[] = [];
  const contacts: { email: string; role: string; language: 'nl' | 'en'; key: string; kind: OrganisationKind; name: string; code: string | null; municipalities: string[] }[] = await db.query(
    `SELECT c.email, c.role, c.language, o.key, o.kind, o.name, o.code,
       coalesce((SELECT array_agg(om.municipality_code::text ORDER BY om.municipality_code) FROM organisation_municipality om WHERE om.organisation_key = o.key), '{}'::text[]) AS municipalities
     FROM contact c JOIN organisation o ON o.key = c.organisation_key ORDER BY o.key, c.email, c.role`,
  );
  for (const c of contacts) {
    candidates.push({ source: 'contact', email: c.email, role: c.role, language: c.language, organisation: { key: c.key, kind: c.kind, name: c.name, code: c.code, municipalities: c.municipalities } });
  }
  const named: { kind: 'municipality' | 'region'; code: string; name: string; email: string }[] = await db.query(
    `SELECT 'municipality' AS kind, m.code::text AS code, m.name, o.programme_manager_email AS email
       FROM onboarding o JOIN municipality m ON m.code = o.municipality_code WHERE o.programme_manager_email IS NOT NULL
     UNION ALL
     SELECT 'region', r.code, r.name, ro.coordinator_email
       FROM region_onboarding ro JOIN region r ON r.code = ro.region_code WHERE ro.coordinator_email IS NOT NULL`,
  );
  for (const n of named) candidates.push({ source: 'onboarding', email: n.email, owner: { kind: n.kind, code: n.code, name: n.name } });

  const preferences = new Map<string, MailPreferenceState>();
  for (const p of await db.query(`SELECT recipient, delivery, optional_stopped_at IS NOT NULL AS stopped FROM mail_preference`)) {
    preferences.set(p.recipient, { delivery: p.delivery, stopped: p.stopped });
  }
  return { owners, candidates, preferences, rulebooks, skipped, updates };
}

/** The update a history event records (its detail holds the update's input), as the workflow received it. */
function updateOf(
  row: { step: string; event: (typeof UPDATE_EVENTS)[number]; detail: Record<string, any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  rulebooks: Map<string, HashedRulebook>,
): UpdateInput | null {
  const { step, detail: d } = row;
  switch (row.event) {
    case 'progress':
      return { kind: 'progress', input: { step, status: d.status, checklist: d.checklist ?? {}, ...(d.note ? { note: d.note } : {}), by: d.by } };
    case 'done':
      return { kind: 'complete', input: { step, evidence: d.evidence, by: d.by } };
    case 'target-date-set':
      return { kind: 'targetDate', input: { step, date: d.date, by: d.by } };
    case 'extended':
      return { kind: 'extend', input: { step, to: d.to, reason: d.reason, grantedBy: d.grantedBy } };
    case 'waived':
      return { kind: 'waive', input: { step, reason: d.reason, grantedBy: d.grantedBy } };
    case 'rulebook-applied': {
      const rulebook = rulebooks.get(d.to);
      return rulebook ? { kind: 'applyRulebook', input: { rulebook: rulebook.rulebook, rulebookHash: rulebook.hash } } : null;
    }
  }
}
