import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { METRICS_CONTENT_TYPE } from '../../../../libs/observability/metrics';
import { Does } from '../access/does';
import { Responds } from '../edge/responses';
import { ApiMetrics } from './api-metrics';

/**
 * The API's Prometheus metrics, for the operator only (the admin token; a scraper sends it as a bearer
 * token): they name no person, but say how the system is used. Not rate limited, like /health: a
 * monitor asks every few seconds from one address.
 */
@ApiTags('health')
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(ApiMetrics) private readonly metrics: ApiMetrics) {}

  @Get()
  @Does('metrics:read')
  @ApiOperation({ summary: 'Prometheus metrics of this API process (text format 0.0.4): requests by route template and status, their durations, Node process metrics' })
  @Responds({ status: 200, file: 'text/plain', schema: { type: 'string', description: 'Prometheus text exposition format, version 0.0.4' } }, 503)
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    // Written as is: Express's send would reorder the media type's parameters.
    res.status(200).setHeader('Content-Type', METRICS_CONTENT_TYPE);
    res.end(text);
  }
}
