import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { PathParams } from '../edge/path-params';
import { LoadOrganisationsDto, OrganisationListQuery, PutContactsDto, PutOrganisationDto } from './organisations.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('organisations')
export class OrganisationsController {
  constructor(@Inject(OrganisationsService) private readonly organisations: OrganisationsService) {}

  @Get()
  @ApiOperation({ summary: 'Organisations; with ?municipality=GM0363 those that work there (its own, region, province, linked stakeholders)' })
  list(@Query() query: OrganisationListQuery) {
    return this.organisations.list(query.municipality);
  }

  @Get(':key')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: 'One organisation with its municipalities and contacts' })
  get(@Param('key') key: string) {
    return this.organisations.get(key);
  }

  @Put(':key')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: 'Create or update an organisation (kind, name, code for public bodies, municipalities for stakeholders); 201 when new' })
  async put(@Param('key') key: string, @Body() dto: PutOrganisationDto, @Res({ passthrough: true }) res: Response) {
    const { created, ...organisation } = await this.organisations.put(key, dto);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return organisation;
  }

  @Put(':key/contacts')
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: "Replace the organisation's contacts: { contacts: [{ email, name?, role, language?, delivery? }] }" })
  putContacts(@Param('key') key: string, @Body() dto: PutContactsDto) {
    return this.organisations.putContacts(key, dto);
  }

  @Post('load')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Create or update several organisations, each with its contacts when given, in one transaction: all or nothing (npm run contacts -- load)',
  })
  load(@Body() dto: LoadOrganisationsDto) {
    return this.organisations.load(dto);
  }
}
