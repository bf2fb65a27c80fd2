import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity('province')
export class ProvinceEntity {
  @PrimaryColumn({ type: 'varchar', length: 4 }) code!: string;
  @Column({ type: 'text' }) name!: string;
}

@Entity('municipality')
export class MunicipalityEntity {
  @PrimaryColumn({ type: 'varchar', length: 6 }) code!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'province_code', type: 'varchar', length: 4 }) provinceCode!: string;
  @ManyToOne(() => ProvinceEntity) @JoinColumn({ name: 'province_code' }) province?: ProvinceEntity;
}

/** A region of one grouping (default: the 40 COROP regions); other groupings load as data later. */
@Entity('region')
export class RegionEntity {
  @PrimaryColumn({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) grouping!: string;
}

@Entity('region_member')
export class RegionMemberEntity {
  @PrimaryColumn({ name: 'region_code', type: 'text' }) regionCode!: string;
  @PrimaryColumn({ name: 'municipality_code', type: 'varchar', length: 6 }) municipalityCode!: string;
}
