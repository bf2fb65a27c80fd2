import type { Provider, Type } from '@nestjs/common';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';

/** Evidence documents: their controllers and providers, registered by the app module. */
export const DOCUMENT_CONTROLLERS: Type<unknown>[] = [DocumentsController];
export const DOCUMENT_PROVIDERS: Provider[] = [DocumentsService];
