import { Does } from '../access/does';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Responds } from '../edge/responses';

async function check(probe: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; error?: string }> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000).unref())]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  }
}

const STATES = ['up', 'down'] as const;

class ComponentHealth {
  @ApiProperty({ enum: STATES })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ description: 'Why it is down' })
  error?: string;
}

class ComponentChecks {
  @ApiProperty({ type: ComponentHealth })
  postgres!: ComponentHealth;

  @ApiProperty({ type: ComponentHealth })
  temporal!: ComponentHealth;
}

/** What /health answers, up (200) or down (503). */
export class HealthBody {
  @ApiProperty({ enum: STATES })
  status!: 'up' | 'down';

  @ApiProperty({ type: ComponentChecks })
  checks!: ComponentChecks;
}

/** Not rate limited: a load balancer or monitor asks often, from one address. */
@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
  ) {}

  @Get()
  @Does('public')
  @ApiOperation({ summary: 'Checks Postgres and Temporal; 503 when either is down' })
  // Its 503 is the health body, not an error: not rate limited, no Retry-After.
  @Responds({ status: 200, type: HealthBody, description: 'Postgres and Temporal are up' }, { status: 503, type: HealthBody, error: false, description: 'Postgres or Temporal is down' })
  async health(@Res({ passthrough: true }) res: Response) {
    const [postgres, temporal] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(() => this.temporal.workflowService.getSystemInfo({})),
    ]);
    const status = postgres.status === 'up' && temporal.status === 'up' ? 'up' : 'down';
    res.status(status === 'up' ? 200 : 503);
    return { status, checks: { postgres, temporal } };
  }
}
