import { DataSource } from 'typeorm';
import { MunicipalityEntity, ProvinceEntity, RegionEntity, RegionMemberEntity } from './entities/reference.entity';
import {
  NotificationEntity,
  OnboardingEntity,
  RulebookVersionEntity,
  StepEventEntity,
  StepStateEntity,
} from './entities/programme.entity';
import { InitialSchema1764028800000 } from './migrations/1764028800000-initial-schema';

export const entities = [
  ProvinceEntity,
  MunicipalityEntity,
  RegionEntity,
  RegionMemberEntity,
  RulebookVersionEntity,
  OnboardingEntity,
  StepStateEntity,
  StepEventEntity,
  NotificationEntity,
];

/** Listed in order; the schema changes only through these. */
export const migrations = [InitialSchema1764028800000];

export function dataSourceOptions(databaseUrl: string, applicationName: string) {
  return {
    type: 'postgres' as const,
    url: databaseUrl,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    applicationName,
    extra: { max: 10 },
  };
}

export function createDataSource(databaseUrl: string, applicationName: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, applicationName));
}
