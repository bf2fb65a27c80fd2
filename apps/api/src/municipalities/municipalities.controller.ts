import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { OWNER_COLLECTIONS } from '../../../../libs/contracts';
import { loadRegionGrouping, RegionGroupingError } from '../../../../libs/db/reference-data';
import { Does } from '../access/does';
import { LIST_LIMITS } from '../edge/inputs';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { BooleanQuery, Code, CodeList, StepText } from '../edge/validators';
import { MunicipalitiesService } from './municipalities.service';
import { RegieError } from '../errors/regie-error';

export class MunicipalityListQuery {
  @Code('province', 'province', { optional: true })
  province?: string;

  @Code('region', 'region', { optional: true })
  region?: string;

  @BooleanQuery('onboarded', { description: 'true: only onboarded municipalities; false: only those not yet onboarded' })
  onboarded?: string;
}

export class RegionListQuery {
  @Code('grouping', 'grouping', { optional: true, description: 'Default: the configured grouping (corop)' })
  grouping?: string;
}

@ApiTags(OWNER_COLLECTIONS.municipality)
@Controller(OWNER_COLLECTIONS.municipality)
export class MunicipalitiesController {
  constructor(@Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService) {}

  @Get()
  @Does('reference:read')
  @ApiOperation({ summary: 'Municipalities with province, COROP region and onboarding; filter by province, region, onboarded' })
  @Responds(200, 400, 429, 503)
  list(@Query() query: MunicipalityListQuery) {
    return this.municipalities.list({
      province: query.province,
      region: query.region,
      onboarded: query.onboarded === undefined ? undefined : query.onboarded === 'true',
    });
  }

  @Get(':code')
  @Does('reference:read')
  @PathParams({ code: 'municipality' })
  @ApiOperation({ summary: 'One municipality' })
  @Responds(200, { status: 404, description: 'municipality-not-found: no municipality has this code' }, 429, 503)
  get(@Param('code') code: string) {
    return this.municipalities.get(code);
  }
}

export class GroupingRegionDto {
  @Code('region', 'code', { example: 'WM05' })
  code!: string;

  @StepText('actor', { example: 'Woningmarktregio Amsterdam' })
  name!: string;

  @CodeList('municipality', 'municipalities', LIST_LIMITS.municipalities, { minSize: 1 })
  @ArrayMinSize(1, { message: 'municipalities must name at least one municipality' })
  municipalities!: string[];
}

export class RegionGroupingDto {
  @ApiProperty({ type: [GroupingRegionDto], maxItems: LIST_LIMITS.regions })
  @IsArray({ message: 'regions must be a list' })
  @ArrayMaxSize(LIST_LIMITS.regions, { message: `regions may hold at most ${LIST_LIMITS.regions} regions` })
  @ValidateNested({ each: true })
  @Type(() => GroupingRegionDto)
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
  @Does('reference:read')
  @ApiOperation({ summary: 'Regions of a grouping (default: the configured one, the 40 COROP regions) with member counts and onboarding' })
  @Responds(200, 400, 429, 503)
  list(@Query() query: RegionListQuery) {
    return this.municipalities.regions(query.grouping || undefined);
  }

  @Put('groupings/:grouping')
  @Does('regions:write')
  @PathParams({ grouping: 'grouping' })
  @ApiOperation({ summary: 'Load or replace a regional grouping as data (e.g. woningmarktregio): every municipality in exactly one region' })
  @Responds(200, { status: 400, description: 'invalid-grouping: a municipality in no region or in two, an unknown municipality' }, 404, 413, 415, 429, 503)
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
  @Does('reference:read')
  @PathParams({ code: 'region' })
  @ApiOperation({ summary: 'One region with its member municipalities' })
  @Responds(200, { status: 404, description: 'region-not-found: no region has this code' }, 429, 503)
  get(@Param('code') code: string) {
    return this.municipalities.region(code);
  }
}
