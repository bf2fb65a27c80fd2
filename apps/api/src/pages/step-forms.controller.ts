import { Body, Controller, Inject, Param, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { actorLabel, callerKey } from '../../../../libs/access/policy';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { OWNER_COLLECTIONS } from '../../../../libs/contracts';
import { TEXT_LIMITS } from '../../../../libs/programme/limits';
import { accessOf } from '../access/access.guard';
import { Does } from '../access/does';
import { DOCUMENT_LIMITS, DocumentsService } from '../documents/documents.service';
import { BODY_LIMITS } from '../edge/inputs';
import { ownerFromPath, PathParams } from '../edge/path-params';
import { Responds, ResponseSpec, Status } from '../edge/responses';
import { RegieError } from '../errors/regie-error';
import { flattenValidationErrors, problemError, validationProblem } from '../errors/validation';
import { CompleteDto, ExtensionDto, ProgressDto, TargetDateDto, WaiverDto } from '../steps/steps.dto';
import { StepsService, WriteContext } from '../steps/steps.service';
import { inLanguage, languageOf, langQuery, renderPage } from './page-render';
import { CHECKLIST_FIELD_PREFIX, FormProblem, PagesService, StepForm } from './pages.service';

/** The part of multer's file (memory storage) the complete form reads. */
interface UploadedDocument {
  originalname: string;
  buffer: Buffer;
  size: number;
}

const STEP_PARAMS = { collection: 'ownerCollection', code: 'ownerCode', step: 'stepInstance' } as const;

/** What a step form answers: back to the step page, or the page again with the field in error. */
const FORM: (Status | ResponseSpec)[] = [
  { status: 303, description: 'Done: back to the step page' },
  { status: 400, page: true, description: "The step page again, the field in error marked with the step model's message and what was typed kept; in JSON, a body the edge refuses" },
  { status: 404, page: true, description: 'No such owner or step, or out of the caller’s reach (an HTML page to a browser)' },
  { status: 409, page: true, description: 'step-closed, limit-reached: the step page again with the message' },
  413,
  415,
  { status: 429, description: 'Also workflow-busy' },
  { status: 503, description: 'Also temporal-unavailable' },
];

/** A form field's text, or undefined when left empty (an empty field is "not given", as in the JSON API's absent field). */
function text(body: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = body?.[field];
  if (Array.isArray(value)) return String(value[0]);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** What was typed, to show again on a refused form (never a file, never the CSRF token). */
function typedValues(body: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([k, v]) => k !== '_csrf' && typeof v === 'string') as [string, string][]);
}

/**
 * Validates a form with the JSON API's own DTO (the limits stay in one place): the first problem as the
 * DTO's RegieError, its field without the DTO's nesting (`evidence.url` is the form's `url`).
 */
async function validated<T extends object>(dto: new () => T, plain: object): Promise<T> {
  const instance = plainToInstance(dto, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const [first] = flattenValidationErrors(errors);
    throw problemError(validationProblem(first.error, first.field));
  }
  return instance;
}

/**
 * The forms of the step page, one route per form under `/app/` (a page route: urlencoded or multipart, never
 * JSON). Each declares its action like the JSON route it mirrors, and the AccessGuard checks the session,
 * the Origin and the CSRF token before anything is read. The write itself is StepsService's, as for the API.
 */
@ApiTags('pages')
@ApiProduces('text/html')
@Controller('app')
export class StepFormsController {
  constructor(
    @Inject(StepsService) private readonly steps: StepsService,
    @Inject(PagesService) private readonly pages: PagesService,
    @Inject(DocumentsService) private readonly documents: DocumentsService,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  @Post(':collection/:code/steps/:step/progress')
  @Does('step:progress', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Page form: record progress (fields status, note, _csrf)' })
  @Responds(...FORM)
  progress(@Param() p: Record<string, string>, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.handle(req, res, p, 'progress', body, async (o, ctx) => {
      const dto = await validated(ProgressDto, { status: text(body, 'status'), note: text(body, 'note') });
      await this.steps.progress(o.kind, o.code, p.step, dto, ctx);
    });
  }

  @Post(':collection/:code/steps/:step/checklist')
  @Does('step:progress', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Page form: tick the checklist (a checkbox checklist.<item>=true per item done; every item of the step is sent, unticked ones as false)' })
  @Responds(...FORM)
  checklist(@Param() p: Record<string, string>, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.handle(req, res, p, 'checklist', body, async (o, ctx) => {
      // A checkbox left unticked sends nothing: the step's own items (the read model's) decide which are false.
      const current = (await this.steps.step(o.kind, o.code, p.step, false)) as { checklist: Record<string, boolean> };
      const ticked = Object.keys(body ?? {}).filter((k) => k.startsWith(CHECKLIST_FIELD_PREFIX)).map((k) => k.slice(CHECKLIST_FIELD_PREFIX.length));
      const checklist: Record<string, boolean> = Object.fromEntries(Object.keys(current.checklist).map((item) => [item, false]));
      for (const item of ticked) checklist[item] = body?.[`${CHECKLIST_FIELD_PREFIX}${item}`] === 'true';
      const dto = await validated(ProgressDto, { checklist });
      await this.steps.progress(o.kind, o.code, p.step, dto, ctx);
    });
  }

  @Post(':collection/:code/steps/:step/complete')
  @Does('step:complete', 'owner')
  @PathParams(STEP_PARAMS)
  @UseInterceptors(
    FileInterceptor('document', {
      limits: { fileSize: DOCUMENT_LIMITS.bytes, files: 1, fields: BODY_LIMITS.formParameters, fieldSize: TEXT_LIMITS.url * 4 },
      defParamCharset: 'utf8',
    }),
  )
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: 'Page form: complete with evidence (fields kind, reference, url, date; or a PDF file document, stored and linked as the evidence); the CSRF token in the query (_csrf), as a multipart body is read after the access check' })
  @Responds(...FORM)
  complete(
    @Param() p: Record<string, string>,
    @Body() body: Record<string, unknown> | undefined,
    @UploadedFile() file: UploadedDocument | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.handle(req, res, p, 'complete', body, async (o, ctx) => {
      if (!file) {
        const dto = await validated(CompleteDto, { evidence: { kind: text(body, 'kind'), reference: text(body, 'reference'), url: text(body, 'url'), date: text(body, 'date') } });
        await this.steps.complete(o.kind, o.code, p.step, dto, ctx);
        return;
      }
      const principal = accessOf(req).principal!;
      const stored = await this.documents.store({ ownerKind: o.kind, ownerCode: o.code, step: p.step, filename: file.originalname, content: file.buffer, uploadedBy: actorLabel(principal) });
      try {
        const dto = await validated(CompleteDto, {
          evidence: { kind: 'document', reference: file.originalname, url: `${this.config.http.publicBaseUrl}${stored.downloadPath}`, date: text(body, 'date') },
        });
        await this.steps.complete(o.kind, o.code, p.step, dto, ctx);
      } catch (err) {
        // Nothing half-written: a completion the step refuses leaves no document behind.
        await this.documents.remove(stored.id);
        throw err;
      }
    });
  }

  @Post(':collection/:code/steps/:step/target-date')
  @Does('step:target-date', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Page form: set the streefdatum (field date) of a target-date step' })
  @Responds(...FORM)
  targetDate(@Param() p: Record<string, string>, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.handle(req, res, p, 'target-date', body, async (o, ctx) => {
      const dto = await validated(TargetDateDto, { date: text(body, 'date') });
      await this.steps.targetDate(o.kind, o.code, p.step, dto, ctx);
    });
  }

  @Post(':collection/:code/steps/:step/extension')
  @Does('step:extension', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Page form: the province grants an extension (fields to, reason)' })
  @Responds(...FORM)
  extension(@Param() p: Record<string, string>, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.handle(req, res, p, 'extension', body, async (o, ctx) => {
      const dto = await validated(ExtensionDto, { to: text(body, 'to'), reason: text(body, 'reason') });
      await this.steps.extension(o.kind, o.code, p.step, dto, ctx);
    });
  }

  @Post(':collection/:code/steps/:step/waiver')
  @Does('step:waiver', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Page form: the province grants a waiver (field reason)' })
  @Responds(...FORM)
  waiver(@Param() p: Record<string, string>, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.handle(req, res, p, 'waiver', body, async (o, ctx) => {
      const dto = await validated(WaiverDto, { reason: text(body, 'reason') });
      await this.steps.waiver(o.kind, o.code, p.step, dto, ctx);
    });
  }

  /**
   * Runs one form's write: on success a 303 to the step page (a reload sends nothing twice); a refusal of
   * the input (400) or of the step (409) shows the step page again, the field marked, what was typed kept.
   * Anything else (404, 503, ...) goes to the error filter, which answers a browser with a page.
   */
  private async handle(
    req: Request,
    res: Response,
    p: Record<string, string>,
    form: StepForm,
    body: Record<string, unknown> | undefined,
    write: (owner: ReturnType<typeof ownerFromPath>, ctx: WriteContext) => Promise<void>,
  ): Promise<string> {
    const owner = ownerFromPath(p.collection, p.code);
    const language = languageOf(req);
    const access = accessOf(req);
    const principal = access.principal!;
    const ctx: WriteContext = { idempotencyKey: undefined, caller: callerKey(principal), actor: actorLabel(principal) };
    try {
      await write(owner, ctx);
    } catch (err) {
      if (!(err instanceof RegieError) || (err.category !== 'invalid-input' && err.category !== 'conflict')) throw err;
      const problem: FormProblem = { form, field: formField(err.field), message: inLanguage(err.userMessage, language), values: typedValues(body) };
      const status = err.category === 'conflict' ? 409 : 400;
      return renderPage(res, status, language, 'page-step', await this.pages.stepPage(access, owner.kind, owner.code, p.step, language, problem));
    }
    res.redirect(303, `/${OWNER_COLLECTIONS[owner.kind]}/${owner.code}/steps/${encodeURIComponent(p.step)}${langQuery(language)}`);
    return '';
  }
}

/** The form's field of a DTO path: `evidence.url` is `url`, `checklist.doorstroming` stays itself. */
const formField = (field: string | undefined) => (field ?? '').replace(/^evidence\./, '');
