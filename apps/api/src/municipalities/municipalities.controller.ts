import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsBooleanString, IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { MunicipalitiesService } from './municipalities.service';
import { RegieError } from '../errors/regie-error';

export class MunicipalityListQuery {
  @ApiPropertyOptional({ example: 'PV27' }) @IsOptional() @Matches(/^PV\d{2}$/, { message: 'province must be a CBS province code such as PV27' })
  province?: string;

  @ApiPropertyOptional({ example: 'CR23' }) @IsOptional() @Matches(/^[A-Z]{2}\d{2}$/, { message: 'region must be a region code such as CR23' })
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

@ApiTags('municipalities')
@Controller('municipalities')
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

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(@Inject(MunicipalitiesService) private readonly municipalities: MunicipalitiesService) {}

  @Get()
  @ApiOperation({ summary: 'Regions (default grouping: the 40 COROP regions) with member counts and onboarding' })
  list() {
    return this.municipalities.regions();
  }

  @Get(':code')
  @ApiOperation({ summary: 'One region with its member municipalities' })
  get(@Param('code') code: string) {
    if (!/^CR\d{2}$/.test(code)) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld code: ${code} is geen regiocode zoals CR23`, 'code');
    return this.municipalities.region(code);
  }
}
