import { Column, CreateDateColumn, Entity, Generated, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { DateDerivation } from '../../calendar';
import type { StepInstance } from '../../contracts';
import type { DateKind, NotificationKind, OwnerKind, StepStatus } from '../../contracts/enums';

/** An immutable rulebook version: shipped from a file or published by an operator. */
@Entity('rulebook_version')
export class RulebookVersionEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'jsonb' }) content!: unknown;
  @Column({ name: 'content_hash', type: 'char', length: 64 }) contentHash!: string;
  @Column({ type: 'text' }) source!: 'file' | 'operator';
  @CreateDateColumn({ name: 'published_at', type: 'timestamptz' }) publishedAt!: Date;
  /** Publication order, numbered by Postgres as versions are stored: a higher number is a newer version. */
  @Column({ type: 'bigint' }) @Generated('increment') seq!: string;
}

/** One onboarding per municipality; the workflow is started once and its run recorded here. */
@Entity('onboarding')
export class OnboardingEntity {
  @PrimaryColumn({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
  @Column({ name: 'workflow_id', type: 'text', unique: true }) workflowId!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'programme_manager_email', type: 'text', nullable: true }) programmeManagerEmail!: string | null;
  @Column({ name: 'initial_steps', type: 'jsonb', nullable: true }) initialSteps!: unknown;
  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'workflow_run_id', type: 'text', nullable: true }) workflowRunId!: string | null;
  @Column({ name: 'workflow_started_at', type: 'timestamptz', nullable: true }) workflowStartedAt!: Date | null;
}

@Entity('region_onboarding')
export class RegionOnboardingEntity {
  @PrimaryColumn({ name: 'region_code', type: 'text' }) regionCode!: string;
  @Column({ name: 'workflow_id', type: 'text', unique: true }) workflowId!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'coordinator_email', type: 'text', nullable: true }) coordinatorEmail!: string | null;
  @Column({ name: 'initial_steps', type: 'jsonb', nullable: true }) initialSteps!: unknown;
  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'workflow_run_id', type: 'text', nullable: true }) workflowRunId!: string | null;
  @Column({ name: 'workflow_started_at', type: 'timestamptz', nullable: true }) workflowStartedAt!: Date | null;
}

/** The read model of one step instance of one owner: written by activities in workflow order (`seq`). */
@Entity('step_state')
export class StepStateEntity {
  @PrimaryColumn({ name: 'owner_code', type: 'text' }) ownerCode!: string;
  @PrimaryColumn({ type: 'text' }) step!: string;
  @Column({ name: 'owner_kind', type: 'text' }) ownerKind!: OwnerKind;
  @Column({ name: 'step_key', type: 'text' }) stepKey!: string;
  @Column({ name: 'cycle_year', type: 'integer', nullable: true }) cycleYear!: number | null;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ type: 'text' }) status!: StepStatus;
  @Column({ type: 'boolean', default: false }) overdue!: boolean;
  @Column({ type: 'boolean', default: false }) late!: boolean;
  @Column({ name: 'overdue_since', type: 'date', nullable: true }) overdueSince!: string | null;
  @Column({ name: 'date_kind', type: 'text' }) dateKind!: DateKind;
  @Column({ name: 'due_date', type: 'date', nullable: true }) dueDate!: string | null;
  @Column({ type: 'jsonb', nullable: true }) derivation!: DateDerivation | null;
  @Column({ type: 'jsonb' }) detail!: StepInstance;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'rulebook_hash', type: 'char', length: 64 }) rulebookHash!: string;
  @Column({ name: 'last_event', type: 'text' }) lastEvent!: string;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt!: Date;
  @Column({ type: 'integer' }) seq!: number;
}

@Entity('step_event')
export class StepEventEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @PrimaryColumn({ type: 'integer' }) seq!: number;
  @Column({ name: 'owner_kind', type: 'text' }) ownerKind!: OwnerKind;
  @Column({ name: 'owner_code', type: 'text' }) ownerCode!: string;
  @Column({ type: 'text' }) step!: string;
  @Column({ type: 'text' }) event!: string;
  @Column({ type: 'jsonb' }) detail!: Record<string, unknown>;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
}

/** A notification recorded under its business key before any mail is sent, so a retry never sends twice. */
@Entity('notification')
export class NotificationEntity {
  @PrimaryColumn({ name: 'business_key', type: 'text' }) businessKey!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ name: 'owner_kind', type: 'text' }) ownerKind!: OwnerKind;
  @Column({ name: 'owner_code', type: 'text' }) ownerCode!: string;
  /** The step instance (`prestatieafspraken:2027`); `stepKey` and `cycleYear` are its parts, stored so no reader splits it. */
  @Column({ type: 'text' }) step!: string;
  @Column({ name: 'step_key', type: 'text', nullable: true }) stepKey!: string | null;
  @Column({ name: 'cycle_year', type: 'integer', nullable: true }) cycleYear!: number | null;
  @Column({ type: 'text' }) kind!: NotificationKind;
  /** The firing within the step and due date (`reminder-180d`, `escalation-1`, `change-notice`), as the request names it. */
  @Column({ name: 'firing_key', type: 'text', nullable: true }) firingKey!: string | null;
  /** An escalation's rung; null for other kinds. */
  @Column({ type: 'integer', nullable: true }) rung!: number | null;
  @Column({ name: 'due_date', type: 'date' }) dueDate!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ type: 'text', array: true }) recipients!: string[];
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  /** `queued`: its mails are in the outbox; `recorded`/`sent` are rows from before the outbox. */
  @Column({ type: 'text' }) status!: 'recorded' | 'sent' | 'no-recipients' | 'queued';
  /** The firing as the workflow asked for it (NotificationRequest); the dispatcher renders from it. */
  @Column({ type: 'jsonb', nullable: true }) request!: Record<string, unknown> | null;
  @Column({ name: 'message_id', type: 'text', nullable: true }) messageId!: string | null;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}

@Entity('rulebook_rollout')
export class RulebookRolloutEntity {
  @PrimaryColumn({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ type: 'text' }) status!: 'running' | 'completed';
  @Column({ type: 'integer' }) total!: number;
  @Column({ type: 'integer', default: 0 }) applied!: number;
  @Column({ type: 'integer', default: 0 }) failed!: number;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}

@Entity('rulebook_rollout_target')
export class RulebookRolloutTargetEntity {
  @PrimaryColumn({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @PrimaryColumn({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ type: 'text' }) status!: 'pending' | 'applied' | 'failed';
  @Column({ type: 'jsonb', nullable: true }) changed!: unknown;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * One apply of a rulebook version, and the lock: at most one row is `running` (a partial unique index, see
 * migration RolloutOneAtATime), taken before the rollout workflow starts and released when it ends.
 */
@Entity('rulebook_rollout_run')
export class RulebookRolloutRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ name: 'workflow_run_id', type: 'text', nullable: true }) workflowRunId!: string | null;
  @Column({ type: 'text' }) status!: 'running' | 'completed' | 'failed' | 'interrupted';
  @Column({ name: 'requested_via', type: 'text' }) requestedVia!: 'api' | 'workflow';
  @Column({ name: 'previous_rulebook_id', type: 'text', nullable: true }) previousRulebookId!: string | null;
  @Column({ type: 'boolean', default: false }) override!: boolean;
  @Column({ name: 'override_reason', type: 'text', nullable: true }) overrideReason!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
