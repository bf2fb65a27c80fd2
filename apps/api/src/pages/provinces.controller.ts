import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import { Does } from '../access/does';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { languageOf, renderPage, wantsHtml } from './page-render';
import { PagesService } from './pages.service';

/** A province's overview: its municipalities and regions, states side by side, and who was escalated to. JSON, or the page to a browser. */
@ApiTags('provinces')
@Controller('provinces')
export class ProvincesController {
  constructor(@Inject(PagesService) private readonly pages: PagesService) {}

  @Get(':code')
  @Does('province:read', 'province')
  @PathParams({ code: 'province' })
  @ApiOperation({ summary: "A province: its municipalities and regions with every step's state, and the escalations sent (addresses for the province and the operator only); HTML to a browser" })
  @Responds(
    { status: 200, page: true },
    { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' },
    { status: 404, page: true, description: 'province-not-found: no province has this code' },
    429,
    503,
  )
  async get(@Param('code') code: string, @Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (wantsHtml(req)) {
      const language = languageOf(req);
      return renderPage(res, 200, language, 'page-province', await this.pages.provincePage(access, code, language));
    }
    return this.pages.province(code, access.decision.personalData);
  }
}
