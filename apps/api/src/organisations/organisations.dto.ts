import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, ValidateNested } from 'class-validator';
import { DEFAULT_LANGUAGE, DELIVERIES, LANGUAGES, ORGANISATION_KINDS, ROLES } from '../../../../libs/contracts';
import type { Delivery, Language, OrganisationKind, Role } from '../../../../libs/contracts';
import { LIST_LIMITS } from '../edge/inputs';
import { PageQuery } from '../edge/paging';
import { Code, CodeList, Email, LeftOutOrValid, StepText } from '../edge/validators';
import { oneOfMessage } from '../errors/validation';

export class PutOrganisationDto {
  @ApiProperty({ enum: ORGANISATION_KINDS })
  @IsIn(ORGANISATION_KINDS, { message: oneOfMessage('kind', ORGANISATION_KINDS) })
  kind!: OrganisationKind;

  @StepText('actor', { example: 'Woningcorporatie Voorbeeld' })
  name!: string;

  @Code('publicBody', 'code', { optional: true, description: 'For municipality, region and province: the code it stands for (GM…, CR…, PV…)' })
  code?: string;

  @CodeList('municipality', 'municipalities', LIST_LIMITS.municipalities, { optional: true, description: 'For stakeholder kinds: the municipalities it works in' })
  municipalities?: string[];
}

export class ContactDto {
  @Email('email', { example: 'wethouder@amsterdam.example' })
  email!: string;

  @StepText('actor', { optional: true, example: 'Wethouder Wonen' })
  name?: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES, { message: oneOfMessage('role', ROLES) })
  role!: Role;

  @ApiPropertyOptional({ enum: LANGUAGES, default: DEFAULT_LANGUAGE }) @LeftOutOrValid() @IsIn(LANGUAGES, { message: oneOfMessage('language', LANGUAGES) })
  language?: Language;

  @ApiPropertyOptional({
    enum: DELIVERIES,
    description: "The address's delivery preference: each mail at once, or bundled in a weekly digest. Absent: any existing preference stays (default immediate)",
  })
  @LeftOutOrValid()
  @IsIn(DELIVERIES, { message: oneOfMessage('delivery', DELIVERIES) })
  delivery?: Delivery;
}

export class PutContactsDto {
  @ApiProperty({ type: [ContactDto], maxItems: LIST_LIMITS.contacts, description: 'Replaces all contacts of the organisation' })
  @IsArray({ message: 'contacts must be a list' })
  @ArrayMaxSize(LIST_LIMITS.contacts, { message: `contacts may hold at most ${LIST_LIMITS.contacts} contacts` })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts!: ContactDto[];
}

export class LoadOrganisationDto extends PutOrganisationDto {
  @Code('organisationKey', 'key')
  key!: string;

  @ApiPropertyOptional({ type: [ContactDto], maxItems: LIST_LIMITS.contacts, description: 'Replaces all contacts of the organisation; absent: its contacts stay' })
  @LeftOutOrValid()
  @IsArray({ message: 'contacts must be a list' })
  @ArrayMaxSize(LIST_LIMITS.contacts, { message: `contacts may hold at most ${LIST_LIMITS.contacts} contacts` })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];
}

export class LoadOrganisationsDto {
  @ApiProperty({ type: [LoadOrganisationDto], maxItems: LIST_LIMITS.organisations, description: 'Created or updated in order, all in one transaction' })
  @IsArray({ message: 'organisations must be a list' })
  @ArrayMaxSize(LIST_LIMITS.organisations, { message: `organisations may hold at most ${LIST_LIMITS.organisations} organisations` })
  @ValidateNested({ each: true })
  @Type(() => LoadOrganisationDto)
  organisations!: LoadOrganisationDto[];
}

export class OrganisationListQuery extends PageQuery {
  @Code('municipality', 'municipality', { optional: true })
  municipality?: string;
}
