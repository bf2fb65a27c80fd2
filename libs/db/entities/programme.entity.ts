import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { DateDerivation } from '../../calendar';

/** An immutable rulebook version: shipped from a file or published by an operator. */
@Entity('rulebook_version')
export class RulebookVersionEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'jsonb' }) content!: unknown;
  @Column({ name: 'content_hash', type: 'char', length: 64 }) contentHash!: string;
  @Column({ type: 'text' }) source!: 'file' | 'operator';
  @CreateDateColumn({ name: 'published_at', type: 'timestamptz' }) publishedAt!: Date;
}

/** One onboarding per municipality; the workflow is started once and its run recorded here. */
@Entity('onboarding')
export class OnboardingEntity {
  @PrimaryColumn({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ name: 'programme_manager_email', type: 'text' }) programmeManagerEmail!: string;
  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'workflow_run_id', type: 'text', nullable: true }) workflowRunId!: string | null;
  @Column({ name: 'workflow_started_at', type: 'timestamptz', nullable: true }) workflowStartedAt!: Date | null;
}

/** The read model of one step: written by activities in workflow order (`seq`), read by the API. */
@Entity('step_state')
export class StepStateEntity {
  @PrimaryColumn({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
  @PrimaryColumn({ name: 'step_key', type: 'text' }) stepKey!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'boolean' }) overdue!: boolean;
  @Column({ name: 'date_kind', type: 'text' }) dateKind!: 'statutory' | 'target';
  @Column({ name: 'due_date', type: 'date' }) dueDate!: string;
  @Column({ type: 'jsonb' }) derivation!: DateDerivation;
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
  @Column({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
  @Column({ name: 'step_key', type: 'text' }) stepKey!: string;
  @Column({ type: 'text' }) event!: string;
  @Column({ type: 'jsonb' }) detail!: Record<string, unknown>;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
}

/** A notification recorded under its business key before any mail is sent, so a retry never sends twice. */
@Entity('notification')
export class NotificationEntity {
  @PrimaryColumn({ name: 'business_key', type: 'text' }) businessKey!: string;
  @Column({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
  @Column({ name: 'step_key', type: 'text' }) stepKey!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'due_date', type: 'date' }) dueDate!: string;
  @Column({ name: 'rulebook_id', type: 'text' }) rulebookId!: string;
  @Column({ type: 'text', array: true }) recipients!: string[];
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ type: 'text' }) status!: 'recorded' | 'sent' | 'no-recipients';
  @Column({ name: 'message_id', type: 'text', nullable: true }) messageId!: string | null;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
