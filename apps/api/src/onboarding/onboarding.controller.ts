import { Body, Controller, HttpStatus, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { BulkOnboardingDto, CreateOnboardingDto } from './onboarding.dto';
import { OnboardingService } from './onboarding.service';

@ApiTags('onboarding')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('onboardings')
export class OnboardingController {
  constructor(@Inject(OnboardingService) private readonly onboarding: OnboardingService) {}

  @Post()
  @ApiOperation({ summary: 'Onboard a municipality (and its region): starts programme-<code>; 201 when new, 200 when it already was' })
  async create(@Body() dto: CreateOnboardingDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.onboarding.onboardMunicipality(dto);
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Post('all')
  @ApiOperation({ summary: 'Onboard all 342 municipalities and all regions, idempotently, with optional contacts and current step states' })
  async all(@Body() dto: BulkOnboardingDto) {
    return this.onboarding.onboardAll(dto);
  }
}
