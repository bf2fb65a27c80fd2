import { callTemporal } from '../temporal/temporal-calls';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { SearchAttributePair, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import {
  InitialStepState,
  OwnerKind,
  OwnerRef,
  ownerWorkflowId,
  parseStepInstanceKey,
  PROGRAMME_CODE_LEVEL,
  PROGRAMME_WORKFLOW_TYPE,
  ProgrammeWorkflowInput,
  REGION_WORKFLOW_TYPE,
  searchAttributes,
} from '../../../../libs/contracts';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import { canonicalJson, HashedRulebook } from '../../../../libs/rulebook/rulebook-files';
import { RegieError } from '../errors/regie-error';
import { validateMapValues } from '../errors/validate-nested';
import { BulkMunicipalityDto, BulkOnboardingDto, BulkRegionDto, CreateOnboardingDto, InitialStepStateDto } from './onboarding.dto';

export interface OnboardingResult {
  created: boolean;
  kind: OwnerKind;
  code: string;
  workflowId: string;
  runId: string;
  rulebookId: string;
  rulebookHash: string;
}

interface OwnerOnboarding {
  owner: OwnerRef;
  contactEmail: string | null;
  steps: Record<string, InitialStepState> | null;
}

const tables = {
  municipality: { table: 'onboarding', key: 'municipality_code', contact: 'programme_manager_email', contactField: 'programmeManagerEmail' },
  region: { table: 'region_onboarding', key: 'region_code', contact: 'coordinator_email', contactField: 'coordinatorEmail' },
} as const;

/**
 * Onboards municipalities and regions: one onboarding row and one workflow per owner, with business-key
 * IDs. Repeating a call is harmless, also after the workflow has closed; each step's current state can be
 * given, so onboarding mid-way records the past instead of sending it.
 */
@Injectable()
export class OnboardingService {
  private readonly logger = new Logger('Onboarding');

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
  ) {}

  async onboardMunicipality(dto: CreateOnboardingDto): Promise<OnboardingResult & { region: OnboardingResult | null }> {
    const rulebook = await this.rulebook(dto.rulebookId, 'rulebookId');
    const [owner] = await this.owners('municipality', [dto.municipalityCode]);
    if (!owner) throw new RegieError('municipality-not-found', 'not-found', `Gemeente ${dto.municipalityCode} bestaat niet / Unknown municipality`, 'municipalityCode');
    const steps = this.stepStates(rulebook, 'municipality', dto.steps, 'steps');
    const result = await this.onboard(rulebook, { owner, contactEmail: dto.programmeManagerEmail ?? null, steps });
    // The region's steps (1 and 2) count for the municipality: its region workflow runs too.
    const hasRegionSteps = rulebook.rulebook.steps.some((d) => d.scope === 'region');
    const region = owner.regionCode && hasRegionSteps ? await this.onboardRegionIfAbsent(rulebook, owner.regionCode) : null;
    return { ...result, region };
  }

  async onboardAll(dto: BulkOnboardingDto) {
    const rulebook = await this.rulebook(dto.rulebookId, 'rulebookId');
    const municipalities = validateMapValues(BulkMunicipalityDto, dto.municipalities, 'municipalities');
    const regions = validateMapValues(BulkRegionDto, dto.regions, 'regions');
    const allMunicipalities = await this.owners('municipality');
    const allRegions = await this.owners('region');
    for (const [codes, known, field] of [
      [Object.keys(municipalities), allMunicipalities, 'municipalities'],
      [Object.keys(regions), allRegions, 'regions'],
    ] as const) {
      const unknown = codes.find((c) => !known.some((o) => o.code === c));
      if (unknown) throw new RegieError('owner-not-found', 'invalid-input', `Onbekende code ${unknown} in veld ${field}.${unknown}`, `${field}.${unknown}`);
    }
    const plans: OwnerOnboarding[] = [
      ...allRegions.map((owner) => ({
        owner,
        contactEmail: regions[owner.code]?.coordinatorEmail ?? null,
        steps: this.stepStates(rulebook, 'region', regions[owner.code]?.steps, `regions.${owner.code}.steps`),
      })),
      ...allMunicipalities.map((owner) => ({
        owner,
        contactEmail: municipalities[owner.code]?.programmeManagerEmail ?? null,
        steps: this.stepStates(rulebook, 'municipality', municipalities[owner.code]?.steps, `municipalities.${owner.code}.steps`),
      })),
    ];
    const results: (OnboardingResult | { kind: string; code: string; error: string })[] = [];
    const queue = [...plans];
    // A few at a time: enough to keep Temporal and Postgres busy on a small machine.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let plan = queue.shift(); plan; plan = queue.shift()) {
          const current = plan;
          results.push(
            await this.onboard(rulebook, current).catch((err) => ({
              kind: current.owner.kind,
              code: current.owner.code,
              error: err instanceof RegieError ? err.userMessage : String(err.message ?? err),
            })),
          );
        }
      }),
    );
    const failed = results.filter((r): r is { kind: string; code: string; error: string } => 'error' in r);
    const done = results.filter((r): r is OnboardingResult => !('error' in r));
    return {
      rulebookId: rulebook.rulebook.id,
      municipalities: { total: allMunicipalities.length, created: done.filter((r) => r.kind === 'municipality' && r.created).length },
      regions: { total: allRegions.length, created: done.filter((r) => r.kind === 'region' && r.created).length },
      alreadyOnboarded: done.filter((r) => !r.created).length,
      failed: failed.sort((a, b) => a.code.localeCompare(b.code)),
    };
  }

  private async onboardRegionIfAbsent(rulebook: HashedRulebook, regionCode: string): Promise<OnboardingResult | null> {
    const [existing] = await this.dataSource.query(`SELECT 1 FROM region_onboarding WHERE region_code = $1 AND workflow_started_at IS NOT NULL`, [regionCode]);
    if (existing) return null;
    const [owner] = await this.owners('region', [regionCode]);
    return this.onboard(rulebook, { owner, contactEmail: null, steps: null });
  }

  private async rulebook(id: string | undefined, field: string): Promise<HashedRulebook> {
    const rulebookId = id ?? this.config.defaultRulebookId;
    const stored = await findRulebook(this.dataSource, rulebookId);
    if (!stored) throw new RegieError('rulebook-not-found', 'invalid-input', `Regelboek ${rulebookId} bestaat niet / Unknown rulebook version`, field);
    return stored;
  }

  /** Validates step states against the rulebook: a known step of this owner's scope, known checklist items. */
  private stepStates(rulebook: HashedRulebook, scope: OwnerRef['kind'], raw: Record<string, unknown> | undefined, path: string): Record<string, InitialStepState> | null {
    if (!raw) return null;
    const states = validateMapValues(InitialStepStateDto, raw, path);
    for (const [key, state] of Object.entries(states)) {
      const stepKey = stepKeyOf(key);
      const definition = rulebook.rulebook.steps.find((d) => d.key === stepKey && d.scope === scope);
      if (!definition) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}: geen ${scope === 'region' ? 'regionale' : 'gemeentelijke'} stap in regelboek ${rulebook.rulebook.id}`, `${path}.${key}`);
      const unknownItem = state.checklist?.find((item) => !definition.checklist.some((c) => c.key === item));
      if (unknownItem) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}.checklist: onbekend onderdeel ${unknownItem}`, `${path}.${key}.checklist`);
      if (state.targetDate && definition.date.kind !== 'target') throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}.targetDate: stap ${key} heeft een wettelijke termijn`, `${path}.${key}.targetDate`);
      if (state.status === 'done' && !state.evidence?.length) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}.evidence: een afgeronde stap heeft bewijs nodig`, `${path}.${key}.evidence`);
    }
    return JSON.parse(JSON.stringify(states));
  }

  private async owners(kind: OwnerRef['kind'], codes?: string[]): Promise<OwnerRef[]> {
    const filter = codes ? `WHERE ${kind === 'municipality' ? 'm' : 'r'}.code = ANY($1)` : '';
    const rows =
      kind === 'municipality'
        ? await this.dataSource.query(
            `SELECT m.code, m.name, p.code AS province_code, p.name AS province_name, r.code AS region_code, r.name AS region_name
             FROM municipality m JOIN province p ON p.code = m.province_code
             LEFT JOIN region_member rm ON rm.municipality_code = m.code
               AND rm.region_code IN (SELECT code FROM region WHERE grouping = '${this.config.regionGrouping}')
             LEFT JOIN region r ON r.code = rm.region_code ${filter} ORDER BY m.code`,
            codes ? [codes] : [],
          )
        : await this.dataSource.query(
            `SELECT r.code, r.name, min(p.code) AS province_code, min(p.name) AS province_name, r.code AS region_code, r.name AS region_name
             FROM region r JOIN region_member rm ON rm.region_code = r.code JOIN municipality m ON m.code = rm.municipality_code
             JOIN province p ON p.code = m.province_code
             WHERE r.grouping = '${this.config.regionGrouping}' ${filter.replace('WHERE', 'AND')} GROUP BY r.code, r.name ORDER BY r.code`,
            codes ? [codes] : [],
          );
    return rows.map((r: Record<string, string | null>) => ({
      kind,
      code: r.code!,
      name: r.name!,
      provinceCode: r.province_code,
      provinceName: r.province_name,
      regionCode: r.region_code,
      regionName: r.region_name,
    }));
  }

  private async onboard(rulebook: HashedRulebook, { owner, contactEmail, steps }: OwnerOnboarding): Promise<OnboardingResult> {
    const t = tables[owner.kind];
    const workflowId = ownerWorkflowId(owner);
    await this.dataSource.query(
      `INSERT INTO ${t.table} (${t.key}, workflow_id, rulebook_id, ${t.contact}, initial_steps) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (${t.key}) DO NOTHING`,
      [owner.code, workflowId, rulebook.rulebook.id, contactEmail, steps ? JSON.stringify(steps) : null],
    );
    const [row] = await this.dataSource.query(`SELECT * FROM ${t.table} WHERE ${t.key} = $1`, [owner.code]);
    // jsonb does not keep key order: compare canonical forms.
    const differs: [boolean, string][] = [
      [row.rulebook_id !== rulebook.rulebook.id, 'rulebookId'],
      [(row[t.contact] ?? null) !== contactEmail, t.contactField],
      [canonicalJson(row.initial_steps ?? null) !== canonicalJson(steps ?? null), 'steps'],
    ];
    const conflict = differs.find(([different]) => different);
    if (conflict) {
      throw new RegieError(
        'already-onboarded',
        'conflict',
        `${owner.name} is al aangemeld met andere gegevens (${conflict[1]}); een nieuwe aanmelding wordt niet toegepast / already onboarded with other settings`,
        conflict[1],
      );
    }
    const result = { kind: owner.kind, code: owner.code, workflowId, rulebookId: rulebook.rulebook.id, rulebookHash: rulebook.hash };
    if (row.workflow_started_at) return { ...result, created: false, runId: row.workflow_run_id };

    // Started at the workflow code's current level: every change of PROGRAMME_PATCHES in force without a marker.
    const input: ProgrammeWorkflowInput = { owner, rulebook: rulebook.rulebook, rulebookHash: rulebook.hash, initialSteps: steps ?? undefined, codeLevel: PROGRAMME_CODE_LEVEL };
    const attributes: SearchAttributePair[] = [
      ...(owner.kind === 'municipality' ? [{ key: searchAttributes.municipality, value: owner.code }] : []),
      ...(owner.provinceCode ? [{ key: searchAttributes.province, value: owner.provinceCode }] : []),
      ...(owner.regionCode ? [{ key: searchAttributes.region, value: owner.regionCode }] : []),
      { key: searchAttributes.overdue, value: false },
    ];
    let runId: string;
    let created = true;
    try {
      const handle = await callTemporal(this.temporal, () => this.temporal.workflow.start(owner.kind === 'municipality' ? PROGRAMME_WORKFLOW_TYPE : REGION_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        typedSearchAttributes: attributes,
        // A running workflow is never started twice, and a closed one is not started again either:
        // an owner has one workflow per onboarding.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }));
      runId = handle.firstExecutionRunId;
      this.logger.log(`Started ${workflowId} (run ${runId}) with rulebook ${rulebook.rulebook.id}`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // An earlier request started it and failed before recording that: adopt the existing run.
      runId = (await callTemporal(this.temporal, () => this.temporal.workflow.getHandle(workflowId).describe())).runId;
      created = false;
    }
    await this.dataSource.query(
      `UPDATE ${t.table} SET workflow_run_id = $2, workflow_started_at = now() WHERE ${t.key} = $1 AND workflow_started_at IS NULL`,
      [owner.code, runId],
    );
    return { ...result, created, runId };
  }
}

/** The rulebook step of a key the caller gives (`volkshuisvestingsprogramma`, `prestatieafspraken:2026`), or null for a malformed one. */
function stepKeyOf(key: string): string | null {
  try {
    return parseStepInstanceKey(key).stepKey;
  } catch {
    return null;
  }
}
