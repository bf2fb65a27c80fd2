import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import type { Action } from '../../../../libs/access/policy';
import { SESSION_COOKIE } from '../../../../libs/access/secrets';
import { responses } from '../edge/responses';

/** What a route's action is about: the owner in `:collection/:code`, the organisation in `:key`, or the province in `:code`. */
export type TargetParam = 'owner' | 'organisation' | 'province';

export interface RouteAction {
  action: Action;
  target?: TargetParam;
}

export const ROUTE_ACTION = 'regie:route-action';

/**
 * Declares what a route does; libs/access/policy.ts decides who may (access.guard.ts). Every route has one:
 * a route without it is refused, and test/integration/access-matrix.test.ts fails. In the OpenAPI, every
 * route that is not public takes a bearer token or the session cookie and may answer 401 and 403 (an owner
 * or organisation out of the caller's reach is the route's own 404).
 */
export const Does = (action: Action, target?: TargetParam) =>
  applyDecorators(
    SetMetadata(ROUTE_ACTION, { action, target } satisfies RouteAction),
    ...(action === 'public'
      ? []
      : [
          ApiBearerAuth(),
          ApiCookieAuth(SESSION_COOKIE),
          ...responses([
            { status: 401, description: 'sign-in-required, bearer-required, token-invalid' },
            { status: 403, description: 'forbidden, token-read-only, organisation-choice-required, csrf-refused (a session write without this site’s Origin and CSRF token)' },
          ]),
        ]),
  );
