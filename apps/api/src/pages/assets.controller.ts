import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { loadPageAssets, pageAsset } from '../../../../libs/mail/page-assets';
import { Does } from '../access/does';
import { noSuchPath, PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';

/** A year: the file name holds a hash of its content, so a changed sheet is a new URL. */
const CACHE = 'public, max-age=31536000, immutable';

/** The pages' style sheets (libs/mail/page-assets.ts), same-origin, read into memory at start. */
@ApiTags('pages')
@Controller('assets')
export class AssetsController {
  constructor() {
    // At start: a missing sheet (node_modules not installed) stops the API naming the file, not the first page.
    loadPageAssets();
  }

  @Get(':file')
  @Does('public')
  @PathParams({ file: 'assetFile' })
  @ApiProduces('text/css', 'text/javascript')
  @ApiOperation({ summary: 'A style sheet of the pages (NL Design System components, Regie theme) or the overview map\'s script; cached for a year under a content-hashed name' })
  @Responds({ status: 200, description: 'The CSS' }, { status: 404, description: 'not-found: no sheet of that name (an old hash after an update)' }, 429)
  asset(@Param('file') file: string, @Res() res: Response) {
    const asset = pageAsset(file);
    if (!asset) throw noSuchPath('file');
    // Sent as bytes: a returned Buffer would be serialised as JSON by Nest.
    res.status(200).set({ 'Content-Type': asset.contentType, 'Cache-Control': CACHE, 'X-Content-Type-Options': 'nosniff' }).end(asset.body);
  }
}
