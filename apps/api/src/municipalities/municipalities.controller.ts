import { Body, Controller, Get, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBooleanString, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { OWNER_COLLECTIONS } from '../../../../libs/contracts';
import { loadRegionGrouping, RegionGroupingError } from '../../../../libs/db/reference-data';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { MunicipalitiesService } from './municipalities.service';
import { RegieError } from '../errors/regie-error';

export class MunicipalityListQuery {
  @ApiPropertyOptional({ example: 'PV27' }) @IsOptional() @Matches(/^PV\d{2}$/, { message: 'province must be a CBS province code such as PV27' })
  province?: string;

  @ApiPropertyOptional({ example: 'CR23' }) @IsOptional() @Matches(/^[A-Z]{2}\d{2,3}$/, { message: "region must be a region code such as CR23" })
  region?: string;

  @ApiPropertyOptional({ example: 'true' }) @IsOptional() @IsBooleanString({ message: 'onboarded must be true or false' })
  onboarded?: string;
}

const codePattern = /^GM\d{4}$/;
function checkCode(code: string): string {
  if (!codePattern.test(code)) {
    throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld code: ${code} is geen CBS-gemeentecode zoals GM0363`, 'code');
  }
  return code;
}

@ApiTags(OWNER_COLLECTIONS.municipality)
@Controller(OWNER_COLLECTIONS.municipality)
export class MunicipalitiesController {
  constructor(@Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService) {}

  @Get()
  @ApiOperation({ summary: 'Municipalities with province, COROP region and onboarding; filter by province, region, onboarded' })
  list(@Query() query: MunicipalityListQuery) {
    return this.municipalities.list({
      province: query.province,
      region: query.region,
      onboarded: query.onboarded === undefined ? undefined : query.onboarded === 'true',
    });
  }

  @Get(':code')
  @ApiOperation({ summary: 'One municipality' })
  get(@Param('code') code: string) {
    return this.municipalities.get(checkCode(code));
  }
}

export class GroupingRegionDto {
  @ApiProperty({ example: 'WM05' }) @Matches(/^[A-Z]{2}\d{2,3}$/, { message: 'code must be two capitals and 2-3 digits, e.g. WM05' })
  code!: string;

  @ApiProperty({ example: 'Woningmarktregio Amsterdam' }) @IsString() @MinLength(1, { message: 'name is required' })
  name!: string;

  @ApiProperty({ example: ['GM0363', 'GM0384'] }) @IsArray() @ArrayMinSize(1) @Matches(/^GM\d{4}$/, { each: true, message: 'municipalities must be GM codes' })
  municipalities!: string[];
}

export class RegionGroupingDto {
  @ApiProperty({ type: [GroupingRegionDto] }) @IsArray() @ValidateNested({ each: true }) @Type(() => GroupingRegionDto)
  regions!: GroupingRegionDto[];
}

@ApiTags(OWNER_COLLECTIONS.region)
@Controller(OWNER_COLLECTIONS.region)
export class RegionsController {
  constructor(
    @Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Regions of a grouping (default: the configured one, the 40 COROP regions) with member counts and onboarding' })
  list(@Query('grouping') grouping?: string) {
    return this.municipalities.regions(grouping || undefined);
  }

  @Put('groupings/:grouping')
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiOperation({ summary: 'Load or replace a regional grouping as data (e.g. woningmarktregio): every municipality in exactly one region' })
  async loadGrouping(@Param('grouping') grouping: string, @Body() dto: RegionGroupingDto) {
    const rows = dto.regions.flatMap((r) => r.municipalities.map((municipalityCode) => ({ municipalityCode, regionCode: r.code, regionName: r.name })));
    try {
      return { grouping, ...(await loadRegionGrouping(this.dataSource, grouping, rows)) };
    } catch (err) {
      if (err instanceof RegionGroupingError) throw new RegieError('invalid-grouping', 'invalid-input', `Ongeldige regio-indeling, veld ${err.field}: ${err.message}`, err.field);
      throw err;
    }
  }

  @Get(':code')
  @ApiOperation({ summary: 'One region with its member municipalities' })
  get(@Param('code') code: string) {
    if (!/^[A-Z]{2}\d{2,3}$/.test(code)) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld code: ${code} is geen regiocode zoals CR23`, 'code');
    return this.municipalities.region(code);
  }
}
