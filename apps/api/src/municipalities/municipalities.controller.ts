import { Body, Controller, Get, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Access } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import { languageOf, renderPage, wantsHtml } from '../pages/page-render';
import { PagesService } from '../pages/pages.service';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { OWNER_COLLECTIONS } from '../../../../libs/contracts';
import { loadRegionGrouping, RegionGroupingError } from '../../../../libs/db/reference-data';
import { Does } from '../access/does';
import { LIST_LIMITS } from '../edge/inputs';
import { Paged, pageOf, PageQuery } from '../edge/paging';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { BooleanQuery, Code, CodeList, StepText } from '../edge/validators';
import { MunicipalitiesService } from './municipalities.service';
import { RegieError } from '../errors/regie-error';

export class MunicipalityListQuery extends PageQuery {
  @Code('province', 'province', { optional: true })
  province?: string;

  @Code('region', 'region', { optional: true })
  region?: string;

  @BooleanQuery('onboarded', { description: 'true: only onboarded municipalities; false: only those not yet onboarded' })
  onboarded?: string;
}

export class RegionListQuery extends PageQuery {
  @Code('grouping', 'grouping', { optional: true, description: 'Default: the configured grouping (corop)' })
  grouping?: string;
}

@ApiTags(OWNER_COLLECTIONS.municipality)
@Controller(OWNER_COLLECTIONS.municipality)
export class MunicipalitiesController {
  constructor(
    @Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService,
    @Inject(PagesService) private readonly pages: PagesService,
  ) {}

  @Get()
  @Does('reference:read')
  @ApiOperation({ summary: 'Municipalities with province, COROP region and onboarding; filter by province, region, onboarded; paged by code' })
  @Paged(429, 503)
  list(@Query() query: MunicipalityListQuery) {
    return this.municipalities.list(
      {
        province: query.province,
        region: query.region,
        onboarded: query.onboarded === undefined ? undefined : query.onboarded === 'true',
      },
      pageOf(query),
    );
  }

  @Get(':code')
  @Does('reference:read')
  @PathParams({ code: 'municipality' })
  @ApiOperation({ summary: "One municipality; to a browser (Accept: text/html) its page: every step of it and its region's, with state, due date and link (for those who may read its steps)" })
  @Responds(
    { status: 200, page: true },
    { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' },
    { status: 404, page: true, description: 'municipality-not-found: no municipality has this code (or, on the page, its steps are out of your reach)' },
    429,
    503,
  )
  async get(@Param('code') code: string, @Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (wantsHtml(req)) {
      const language = languageOf(req);
      const page = await this.pages.municipalityPage(this.pages.ownerAccess(access, 'municipality', code), code, language);
      return renderPage(res, 200, language, 'page-municipality', page);
    }
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
    @Inject(PagesService) private readonly pages: PagesService,
  ) {}

  @Get()
  @Does('reference:read')
  @ApiOperation({ summary: 'Regions of a grouping (default: the configured one, the 40 COROP regions) with member counts and onboarding; paged by code' })
  @Paged(429, 503)
  list(@Query() query: RegionListQuery) {
    return this.municipalities.regions(query.grouping || undefined, pageOf(query));
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
  @ApiOperation({ summary: "One region with its member municipalities; to a browser (Accept: text/html) its page: the region's own steps and its members' states side by side" })
  @Responds(
    { status: 200, page: true },
    { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' },
    { status: 404, page: true, description: 'region-not-found: no region has this code (or, on the page, its steps are out of your reach)' },
    429,
    503,
  )
  async get(@Param('code') code: string, @Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (wantsHtml(req)) {
      const language = languageOf(req);
      return renderPage(res, 200, language, 'page-region', await this.pages.regionPage(this.pages.ownerAccess(access, 'region', code), code, language));
    }
    return this.municipalities.region(code);
  }
}
