import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsEmail, IsIn, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { DEFAULT_LANGUAGE, DELIVERIES, LANGUAGES, ORGANISATION_KINDS, ROLES } from '../../../../libs/contracts';
import type { Delivery, Language, OrganisationKind, Role } from '../../../../libs/contracts';
import { oneOfMessage } from '../errors/validation';

export class PutOrganisationDto {
  @ApiProperty({ enum: ORGANISATION_KINDS })
  @IsIn(ORGANISATION_KINDS, { message: oneOfMessage('kind', ORGANISATION_KINDS) })
  kind!: OrganisationKind;

  @ApiProperty({ example: 'Woningcorporatie Voorbeeld' }) @IsString({ message: 'name is required' }) @MinLength(1, { message: 'name is required' })
  name!: string;

  @ApiPropertyOptional({ example: 'GM0363', description: 'For municipality, region and province: the code it stands for (GM…, CR…, PV…)' })
  @IsOptional()
  @IsString({ message: 'code must be a reference code' })
  code?: string;

  @ApiPropertyOptional({ type: [String], example: ['GM0363', 'GM0384'], description: 'For stakeholder kinds: the municipalities it works in' })
  @IsOptional()
  @IsArray({ message: 'municipalities must be a list of GM codes' })
  @Matches(/^GM\d{4}$/, { each: true, message: 'municipalities must be CBS municipality codes such as GM0363' })
  municipalities?: string[];
}

export class ContactDto {
  @ApiProperty({ example: 'wethouder@amsterdam.example' }) @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @ApiPropertyOptional() @IsOptional() @IsString({ message: 'name must be text' })
  name?: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES, { message: oneOfMessage('role', ROLES) })
  role!: Role;

  @ApiPropertyOptional({ enum: LANGUAGES, default: DEFAULT_LANGUAGE }) @IsOptional() @IsIn(LANGUAGES, { message: oneOfMessage('language', LANGUAGES) })
  language?: Language;

  @ApiPropertyOptional({
    enum: DELIVERIES,
    description: "The address's delivery preference: each mail at once, or bundled in a weekly digest. Absent: any existing preference stays (default immediate)",
  })
  @IsOptional()
  @IsIn(DELIVERIES, { message: oneOfMessage('delivery', DELIVERIES) })
  delivery?: Delivery;
}

export class PutContactsDto {
  @ApiProperty({ type: [ContactDto], description: 'Replaces all contacts of the organisation' })
  @IsArray({ message: 'contacts must be a list' })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts!: ContactDto[];
}

export class LoadOrganisationDto extends PutOrganisationDto {
  @ApiProperty({ example: 'ymere' }) @IsString({ message: 'key is required' })
  key!: string;

  @ApiPropertyOptional({ type: [ContactDto], description: 'Replaces all contacts of the organisation; absent: its contacts stay' })
  @IsOptional()
  @IsArray({ message: 'contacts must be a list' })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];
}

export class LoadOrganisationsDto {
  @ApiProperty({ type: [LoadOrganisationDto], description: 'Created or updated in order, all in one transaction' })
  @IsArray({ message: 'organisations must be a list' })
  @ValidateNested({ each: true })
  @Type(() => LoadOrganisationDto)
  organisations!: LoadOrganisationDto[];
}

export class OrganisationListQuery {
  @ApiPropertyOptional({ example: 'GM0363' })
  @IsOptional()
  @Matches(/^GM\d{4}$/, { message: 'municipality must be a CBS municipality code such as GM0363' })
  municipality?: string;
}
