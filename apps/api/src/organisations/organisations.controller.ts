import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Does } from '../access/does';
import { Paged, pageOf } from '../edge/paging';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { LoadOrganisationsDto, OrganisationListQuery, PutContactsDto, PutOrganisationDto } from './organisations.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(@Inject(OrganisationsService) private readonly organisations: OrganisationsService) {}

  @Get()
  @Does('organisations:list')
  @ApiOperation({ summary: 'Organisations; with ?municipality=GM0363 those that work there (its own, region, province, linked stakeholders); paged by kind and key' })
  @Paged({ status: 404, description: 'municipality-not-found (query municipality)' }, 429, 503)
  list(@Query() query: OrganisationListQuery) {
    return this.organisations.list(query.municipality, pageOf(query));
  }

  @Get(':key')
  @Does('organisation:read', 'organisation')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: 'One organisation with its municipalities and contacts' })
  @Responds(200, { status: 404, description: 'organisation-not-found' }, 429, 503)
  get(@Param('key') key: string) {
    return this.organisations.get(key);
  }

  @Put(':key')
  @Does('organisations:write')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: 'Create or update an organisation (kind, name, code for public bodies, municipalities for stakeholders); 201 when new' })
  @Responds(
    { status: 200, description: 'Updated' },
    { status: 201, description: 'Created' },
    { status: 400, description: 'Also unknown-municipality, unknown-<kind> (code), a code or municipalities where its kind has none' },
    404,
    { status: 409, description: 'organisation-code-taken, organisation-kind-fixed' },
    413,
    415,
    429,
    503,
  )
  async put(@Param('key') key: string, @Body() dto: PutOrganisationDto, @Res({ passthrough: true }) res: Response) {
    const { created, ...organisation } = await this.organisations.put(key, dto);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return organisation;
  }

  @Put(':key/contacts')
  @Does('organisation:contacts', 'organisation')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: "Replace the organisation's contacts: { contacts: [{ email, name?, role, language?, delivery? }] }" })
  @Responds(
    200,
    { status: 400, description: 'Also a role its kind has no contacts with, an address twice with one role, two deliveries for one address' },
    { status: 404, description: 'organisation-not-found' },
    413,
    415,
    429,
    503,
  )
  putContacts(@Param('key') key: string, @Body() dto: PutContactsDto) {
    return this.organisations.putContacts(key, dto);
  }

  @Post('load')
  @Does('organisations:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Create or update several organisations, each with its contacts when given, in one transaction: all or nothing (npm run contacts -- load)',
  })
  @Responds(
    200,
    { status: 400, description: 'Any refusal of PUT /organisations/{key} or its contacts, naming organisations.<i>.<field>; nothing is stored' },
    { status: 409, description: 'organisation-code-taken, organisation-kind-fixed' },
    413,
    415,
    429,
    503,
  )
  load(@Body() dto: LoadOrganisationsDto) {
    return this.organisations.load(dto);
  }
}
