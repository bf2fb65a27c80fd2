import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { RegieConfig } from '../../../libs/config/config';
import { ConfigModule } from '../../../libs/config/config.module';
import { DatabaseModule } from '../../../libs/db/database.module';
import { AccessGuard, AuditInterceptor } from './access/access.guard';
import { AuditController } from './access/audit.controller';
import { AuditService } from './access/audit.service';
import { AuthController } from './access/auth.controller';
import { OidcService } from './access/oidc.service';
import { PrincipalsService } from './access/principals.service';
import { SessionsService } from './access/sessions.service';
import { TokensController, TokensService } from './access/tokens';
import { ReferenceDataService } from './bootstrap/reference-data.service';
import { PathParamsGuard } from './edge/path-params';
import { MailLinkRefusalLimit, RATE_LIMITS, readRateLimits, SignInLimit, throttlerOptions } from './edge/rate-limits';
import { DOCUMENT_CONTROLLERS, DOCUMENT_PROVIDERS } from './documents';
import { CALENDAR_FEED_CONTROLLERS, CALENDAR_FEED_PROVIDERS } from './calendar-feeds';
import { HealthController } from './health/health.controller';
import { ApiMetrics } from './metrics/api-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { OVERVIEW_CONTROLLERS, OVERVIEW_PROVIDERS } from './overview';
import { PAGE_CONTROLLERS, PAGE_PROVIDERS } from './pages';
import { MailLinksController } from './mail-links/mail-links.controller';
import { MailLinksService } from './mail-links/mail-links.service';
import { MunicipalitiesController, RegionsController } from './municipalities/municipalities.controller';
import { MunicipalitiesService } from './municipalities/municipalities.service';
import { OnboardingController } from './onboarding/onboarding.controller';
import { OnboardingService } from './onboarding/onboarding.service';
import { OrganisationsController } from './organisations/organisations.controller';
import { OrganisationsService } from './organisations/organisations.service';
import { RulebookRolloutService } from './rulebooks/rulebook-rollout.service';
import { RulebookPagesController } from './rulebooks/rulebook-pages.controller';
import { RulebooksController } from './rulebooks/rulebooks.controller';
import { RulebooksService } from './rulebooks/rulebooks.service';
import { StepsController } from './steps/steps.controller';
import { StepsService } from './steps/steps.service';
import { TemporalClientModule } from './temporal/temporal-client.module';

@Module({})
export class AppModule {
  static forRoot(config: RegieConfig): DynamicModule {
    // Rate limits come from the environment (REGIE_RATE_LIMIT, REGIE_MAIL_LINK_REFUSAL_LIMIT; see edge/rate-limits.ts).
    const limits = readRateLimits(process.env);
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, TemporalClientModule, ThrottlerModule.forRoot(throttlerOptions(limits))],
      controllers: [HealthController, MetricsController, AuthController, AuditController, TokensController, MailLinksController, MunicipalitiesController, RegionsController, OnboardingController, RulebooksController, RulebookPagesController, StepsController, OrganisationsController, ...PAGE_CONTROLLERS, ...DOCUMENT_CONTROLLERS, ...CALENDAR_FEED_CONTROLLERS, ...OVERVIEW_CONTROLLERS],
      providers: [
        { provide: RATE_LIMITS, useValue: limits },
        ApiMetrics,
        // Guards in this order: rate limit, then path parameters, then who may (libs/access/policy.ts).
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: PathParamsGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        MailLinkRefusalLimit,
        SignInLimit,
        PrincipalsService,
        AuditService,
        SessionsService,
        OidcService,
        TokensService,
        ReferenceDataService,
        MailLinksService,
        MunicipalitiesService,
        OnboardingService,
        StepsService,
        RulebooksService,
        RulebookRolloutService,
        OrganisationsService,
        ...PAGE_PROVIDERS,
        ...DOCUMENT_PROVIDERS,
        ...CALENDAR_FEED_PROVIDERS,
        ...OVERVIEW_PROVIDERS,
      ],
    };
  }
}
