import { Body, Controller, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Does } from '../access/does';
import { Responds } from '../edge/responses';
import { BulkMunicipalityDto, BulkOnboardingDto, BulkRegionDto, CreateOnboardingDto, InitialStepStateDto } from './onboarding.dto';
import { OnboardingService } from './onboarding.service';

@ApiTags('onboarding')
// The values of the DTOs' maps (`BoundedMap`): the OpenAPI finds no class inside additionalProperties by itself.
@ApiExtraModels(InitialStepStateDto, BulkMunicipalityDto, BulkRegionDto)
@Controller('onboardings')
export class OnboardingController {
  constructor(@Inject(OnboardingService) private readonly onboarding: OnboardingService) {}

  @Post()
  @Does('onboarding:write')
  @ApiOperation({ summary: 'Onboard a municipality (and its region): starts programme-<code>; 201 when new, 200 when it already was' })
  @Responds(
    { status: 200, description: 'Already onboarded with the same settings' },
    { status: 201, description: 'Onboarded now' },
    { status: 400, description: 'Also rulebook-not-found (rulebookId), or a step state that does not fit the rulebook' },
    { status: 404, description: 'municipality-not-found (municipalityCode)' },
    { status: 409, description: 'already-onboarded: onboarded before with other settings (field: which)' },
    413,
    415,
    429,
    { status: 503, description: 'Also temporal-unavailable: send the same request again (a start is never repeated)' },
  )
  async create(@Body() dto: CreateOnboardingDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.onboarding.onboardMunicipality(dto);
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Post('all')
  @Does('onboarding:write')
  @ApiOperation({ summary: 'Onboard all 342 municipalities and all regions, idempotently, with optional contacts and current step states' })
  @Responds(
    { status: 201, description: 'Counts of created and already onboarded owners; an owner that could not be onboarded is listed under failed' },
    { status: 400, description: 'Also body-required (send {} to onboard everyone with defaults), owner-not-found, rulebook-not-found' },
    413,
    415,
    429,
    { status: 503, description: 'Also temporal-unavailable: send the same request again (a start is never repeated)' },
  )
  async all(@Body() dto: BulkOnboardingDto) {
    return this.onboarding.onboardAll(dto);
  }
}
