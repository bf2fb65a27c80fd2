import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Language, OrganisationKind, Role } from '../../contracts/enums';

export { ORGANISATION_KINDS } from '../../contracts/enums';
export type { OrganisationKind } from '../../contracts/enums';

/** An organisation that has contacts; a municipality, region or province stands for its reference code. */
@Entity('organisation')
export class OrganisationEntity {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text' }) kind!: OrganisationKind;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) code!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/** A stakeholder organisation works in these municipalities; only these links decide what it receives. */
@Entity('organisation_municipality')
export class OrganisationMunicipalityEntity {
  @PrimaryColumn({ name: 'organisation_key', type: 'text' }) organisationKey!: string;
  @PrimaryColumn({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
}

/** A person with a role within one organisation; one row per (organisation, email, role). */
@Entity('contact')
export class ContactEntity {
  @PrimaryColumn({ name: 'organisation_key', type: 'text' }) organisationKey!: string;
  @PrimaryColumn({ type: 'text' }) email!: string;
  @PrimaryColumn({ type: 'text' }) role!: Role;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'text', default: 'nl' }) language!: Language;
}
