import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AcknowledgementAction, Delivery, Language, OutboxKind, OutboxStatus } from '../../contracts/enums';

export type { Delivery, OutboxStatus } from '../../contracts/enums';

/** One mail to one recipient: a notification's, or a weekly digest (keys, indexes and checks in the migration). */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) kind!: OutboxKind;
  @Column({ name: 'business_key', type: 'text' }) businessKey!: string;
  @Column({ type: 'text' }) recipient!: string;
  @Column({ name: 'organisation_key', type: 'text' }) organisationKey!: string;
  @Column({ name: 'organisation_name', type: 'text' }) organisationName!: string;
  @Column({ type: 'text' }) language!: Language;
  @Column({ type: 'text' }) delivery!: Delivery;
  @Column({ type: 'boolean' }) optional!: boolean;
  @Column({ type: 'text' }) status!: OutboxStatus;
  @Column({ name: 'status_reason', type: 'text', nullable: true }) statusReason!: string | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt!: Date;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil!: Date | null;
  @Column({ name: 'lease_token', type: 'uuid', nullable: true }) leaseToken!: string | null;
  @Column({ name: 'message_id', type: 'text' }) messageId!: string;
  @Column({ name: 'smtp_response', type: 'text', nullable: true }) smtpResponse!: string | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'digest_id', type: 'bigint', nullable: true }) digestId!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  /** A digest's week (its Monday), also in its business key; null for a notification's mail. */
  @Column({ name: 'week_of', type: 'date', nullable: true }) weekOf!: string | null;
}

/** What one address wants: every mail at once or a weekly digest, and whether optional mail is stopped. */
@Entity('mail_preference')
export class MailPreferenceEntity {
  @PrimaryColumn({ type: 'text' }) recipient!: string;
  @Column({ type: 'text', default: 'immediate' }) delivery!: Delivery;
  @Column({ name: 'optional_stopped_at', type: 'timestamptz', nullable: true }) optionalStoppedAt!: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_via', type: 'text' }) updatedVia!: string;
}

/** A recipient acknowledged an escalation or confirmed receipt through a signed link. */
@Entity('mail_acknowledgement')
export class MailAcknowledgementEntity {
  @PrimaryColumn({ name: 'business_key', type: 'text' }) businessKey!: string;
  @PrimaryColumn({ type: 'text' }) recipient!: string;
  @PrimaryColumn({ type: 'text' }) action!: AcknowledgementAction;
  @Column({ name: 'owner_kind', type: 'text' }) ownerKind!: string;
  @Column({ name: 'owner_code', type: 'text' }) ownerCode!: string;
  @Column({ type: 'text' }) step!: string;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', default: () => 'now()' }) acknowledgedAt!: Date;
}

/** A signed link that was refused (malformed, forged, expired, replayed), kept as proof. */
@Entity('mail_link_refusal')
export class MailLinkRefusalEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
  @Column({ type: 'text' }) reason!: 'malformed' | 'forged' | 'expired' | 'replayed' | 'unknown';
  @Column({ type: 'text', nullable: true }) action!: string | null;
  @Column({ type: 'text', nullable: true }) recipient!: string | null;
  @Column({ name: 'business_key', type: 'text', nullable: true }) businessKey!: string | null;
  @Column({ name: 'token_sha256', type: 'text' }) tokenSha256!: string;
}
