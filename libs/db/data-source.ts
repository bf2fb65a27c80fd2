import { DataSource } from 'typeorm';
import { MunicipalityEntity, ProvinceEntity, RegionEntity, RegionMemberEntity } from './entities/reference.entity';
import {
  NotificationEntity,
  OnboardingEntity,
  RegionOnboardingEntity,
  RulebookRolloutEntity,
  RulebookRolloutRunEntity,
  RulebookRolloutTargetEntity,
  RulebookVersionEntity,
  StepEventEntity,
  StepStateEntity,
} from './entities/programme.entity';
import { ContactEntity, OrganisationEntity, OrganisationMunicipalityEntity } from './entities/organisation.entity';
import { InitialSchema1764028800000 } from './migrations/1764028800000-initial-schema';
import { StepsPerOwner1764115200000 } from './migrations/1764115200000-steps-per-owner';
import { OrganisationsAndContacts1764201600000 } from './migrations/1764201600000-organisations-and-contacts';
import { OutboxAndPreferences1764288000000 } from './migrations/1764288000000-outbox-and-preferences';
import { NotificationFacts1796083200000 } from './migrations/1796083200000-notification-facts';
import { RolloutOneAtATime1796097600000 } from './migrations/1796097600000-rollout-one-at-a-time';
import { IdempotentWrites1796112000000 } from './migrations/1796112000000-idempotent-writes';
import { Access1796198400000 } from './migrations/1796198400000-access';
import { EvidenceDocuments1796284800000 } from './migrations/1796284800000-evidence-documents';
import { CalendarFeeds1796371200000 } from './migrations/1796371200000-calendar-feeds';
import { ReadModelNotify1796457600000 } from './migrations/1796457600000-read-model-notify';
import { MailAcknowledgementEntity, MailLinkRefusalEntity, MailPreferenceEntity, OutboxEntity } from './entities/mail.entity';

export const entities = [
  ProvinceEntity,
  MunicipalityEntity,
  RegionEntity,
  RegionMemberEntity,
  RulebookVersionEntity,
  OnboardingEntity,
  RegionOnboardingEntity,
  StepStateEntity,
  StepEventEntity,
  NotificationEntity,
  RulebookRolloutEntity,
  RulebookRolloutTargetEntity,
  RulebookRolloutRunEntity,
  OrganisationEntity,
  OrganisationMunicipalityEntity,
  ContactEntity,
  OutboxEntity,
  MailPreferenceEntity,
  MailAcknowledgementEntity,
  MailLinkRefusalEntity,
];

/** Listed in order; the schema changes only through these. */
export const migrations = [
  InitialSchema1764028800000,
  StepsPerOwner1764115200000,
  OrganisationsAndContacts1764201600000,
  OutboxAndPreferences1764288000000,
  NotificationFacts1796083200000,
  RolloutOneAtATime1796097600000,
  IdempotentWrites1796112000000,
  Access1796198400000,
  EvidenceDocuments1796284800000,
  CalendarFeeds1796371200000,
  ReadModelNotify1796457600000,
];

export function dataSourceOptions(databaseUrl: string, applicationName: string) {
  return {
    type: 'postgres' as const,
    url: databaseUrl,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    applicationName,
    // A pool that cannot connect or a statement that hangs fails within seconds (the API answers 503), never waits for ever.
    extra: { max: 10, connectionTimeoutMillis: 5000, statement_timeout: 30_000, query_timeout: 35_000 },
  };
}

export function createDataSource(databaseUrl: string, applicationName: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, applicationName));
}
