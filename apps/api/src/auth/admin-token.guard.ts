import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { RegieError } from '../errors/regie-error';

/** Operator actions (onboarding, rulebook publication) need the configured admin token until access control lands. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(REGIE_CONFIG) private readonly config: RegieConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = Buffer.from(header.replace(/^Bearer\s+/i, ''));
    const expected = Buffer.from(this.config.adminToken);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    throw new RegieError('admin-token-required', 'unauthorized', 'Beheerderstoken ontbreekt of is onjuist (Authorization: Bearer <ADMIN_TOKEN>) / Admin token missing or wrong');
  }
}
