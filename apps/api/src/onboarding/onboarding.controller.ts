import { Body, Controller, HttpStatus, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { CreateOnboardingDto } from './onboarding.dto';
import { OnboardingService } from './onboarding.service';

@ApiTags('onboarding')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('onboardings')
export class OnboardingController {
  constructor(@Inject(OnboardingService) private readonly onboarding: OnboardingService) {}

  @Post()
  @ApiOperation({ summary: 'Onboard a municipality: starts programme-<code>; 201 when new, 200 when it already was' })
  async create(@Body() dto: CreateOnboardingDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.onboarding.onboard(dto);
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }
}
