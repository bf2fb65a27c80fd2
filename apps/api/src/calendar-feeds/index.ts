import type { Provider, Type } from '@nestjs/common';
import { CalendarFeedsController } from './calendar-feeds.controller';
import { CalendarFeedsService } from './calendar-feeds.service';

/** Calendar feeds: their controller and provider, registered by the app module. */
export const CALENDAR_FEED_CONTROLLERS: Type<unknown>[] = [CalendarFeedsController];
export const CALENDAR_FEED_PROVIDERS: Provider[] = [CalendarFeedsService];
