import type { Provider, Type } from '@nestjs/common';
import { OverviewController } from './overview.controller';
import { OverviewService } from './overview.service';

/** The national overview: its data (JSON with an ETag), page, exports. */
export const OVERVIEW_CONTROLLERS: Type<unknown>[] = [OverviewController];
export const OVERVIEW_PROVIDERS: Provider[] = [OverviewService];
