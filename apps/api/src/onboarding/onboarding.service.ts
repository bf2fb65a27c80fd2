import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { PROGRAMME_WORKFLOW_TYPE, programmeWorkflowId, ProgrammeWorkflowInput } from '../../../../libs/contracts';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import { RegieError } from '../errors/regie-error';
import { MunicipalitiesService } from '../municipalities/municipalities.service';
import { CreateOnboardingDto } from './onboarding.dto';

export interface OnboardingResult {
  created: boolean;
  municipalityCode: string;
  workflowId: string;
  runId: string;
  rulebookId: string;
  rulebookHash: string;
}

/**
 * Onboards a municipality: one onboarding row per municipality and one programme workflow with a
 * business-key ID. Repeating the call is harmless, also after the workflow has closed.
 */
@Injectable()
export class OnboardingService {
  private readonly logger = new Logger('Onboarding');

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService,
  ) {}

  async onboard(dto: CreateOnboardingDto): Promise<OnboardingResult> {
    const municipality = await this.municipalities.get(dto.municipalityCode).catch((err) => {
      if (err instanceof RegieError) throw new RegieError(err.code, err.category, err.userMessage, 'municipalityCode');
      throw err;
    });
    const rulebookId = dto.rulebookId ?? this.config.defaultRulebookId;
    const stored = await findRulebook(this.dataSource, rulebookId);
    if (!stored) throw new RegieError('rulebook-not-found', 'invalid-input', `Regelboek ${rulebookId} bestaat niet / Unknown rulebook version`, 'rulebookId');
    const workflowId = programmeWorkflowId(municipality.code);

    await this.dataSource.query(
      `INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email)
       VALUES ($1, $2, $3, $4) ON CONFLICT (municipality_code) DO NOTHING`,
      [municipality.code, workflowId, rulebookId, dto.programmeManagerEmail],
    );
    const [row] = await this.dataSource.query(`SELECT * FROM onboarding WHERE municipality_code = $1`, [municipality.code]);
    if (row.rulebook_id !== rulebookId || row.programme_manager_email !== dto.programmeManagerEmail) {
      throw new RegieError(
        'already-onboarded',
        'conflict',
        `${municipality.name} is al aangemeld met regelboek ${row.rulebook_id}; een andere aanmelding wordt niet toegepast / already onboarded with other settings`,
        row.rulebook_id !== rulebookId ? 'rulebookId' : 'programmeManagerEmail',
      );
    }
    const result = { municipalityCode: municipality.code, workflowId, rulebookId, rulebookHash: stored.hash };
    if (row.workflow_started_at) return { ...result, created: false, runId: row.workflow_run_id };

    const input: ProgrammeWorkflowInput = {
      municipality: {
        code: municipality.code,
        name: municipality.name,
        provinceCode: municipality.province.code,
        provinceName: municipality.province.name,
        regionCode: municipality.region?.code ?? null,
        regionName: municipality.region?.name ?? null,
      },
      rulebook: stored.rulebook,
      rulebookHash: stored.hash,
    };
    let runId: string;
    let created = true;
    try {
      const handle = await this.temporal.workflow.start(PROGRAMME_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        // A running programme is never started twice, and a closed one is not started again either:
        // a municipality has one programme per onboarding.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      runId = handle.firstExecutionRunId;
      this.logger.log(`Started ${workflowId} (run ${runId}) with rulebook ${rulebookId}`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // An earlier request started it and failed before recording that: adopt the existing run.
      runId = (await this.temporal.workflow.getHandle(workflowId).describe()).runId;
      created = false;
    }
    await this.dataSource.query(
      `UPDATE onboarding SET workflow_run_id = $2, workflow_started_at = now() WHERE municipality_code = $1 AND workflow_started_at IS NULL`,
      [municipality.code, runId],
    );
    return { ...result, created, runId };
  }
}
