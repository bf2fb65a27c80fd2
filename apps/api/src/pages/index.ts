import type { Provider, Type } from '@nestjs/common';
import { AssetsController } from './assets.controller';
import { PagesService } from './pages.service';
import { ProvincesController } from './provinces.controller';
import { StepFormsController } from './step-forms.controller';

/**
 * The pages where people act: the step forms under `/app/`, the province overview, the style sheets under
 * `/assets/`; the step, municipality and region pages are the existing routes answering HTML to a browser
 * (steps.controller.ts, municipalities.controller.ts), rendered by `PagesService`.
 */
export const PAGE_CONTROLLERS: Type<unknown>[] = [AssetsController, ProvincesController, StepFormsController];
export const PAGE_PROVIDERS: Provider[] = [PagesService];
