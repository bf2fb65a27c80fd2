import { Controller, Get, Inject, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Does } from '../access/does';
import { ownerFromPath, PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { attachmentDisposition } from './document-rules';
import { DocumentsService } from './documents.service';

const DOCUMENT_PARAMS = { collection: 'ownerCollection', code: 'ownerCode', step: 'stepInstance', id: 'documentId' } as const;

/** The checksum kept with the document, as RFC 9530's `Repr-Digest` (base64) and as a strong `ETag` (hex). */
const digestHeaders = (sha256: string) => ({ 'Repr-Digest': `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`, ETag: `"${sha256}"` });

/** Evidence documents, downloaded under their owner's step by whoever may read that owner. */
@ApiTags('steps')
@Controller()
export class DocumentsController {
  constructor(@Inject(DocumentsService) private readonly documents: DocumentsService) {}

  @Get(':collection/:code/steps/:step/documents/:id')
  @Does('owner:read', 'owner')
  @PathParams(DOCUMENT_PARAMS)
  @ApiOperation({ summary: "An evidence document of a step, as a download (a PDF, with its SHA-256); the step's history links it" })
  @Responds(
    {
      status: 200,
      file: 'application/pdf',
      description: 'The PDF, as an attachment',
      headers: {
        'Content-Disposition': { description: "attachment; filename*=UTF-8''… (the sanitised name it was uploaded under)", schema: { type: 'string' } },
        'Repr-Digest': { description: 'sha-256=:<base64>: of the bytes (RFC 9530)', schema: { type: 'string' } },
        ETag: { description: 'The SHA-256 of the bytes, hex, quoted', schema: { type: 'string' } },
      },
    },
    { status: 404, description: 'municipality-not-found, region-not-found: no owner has this code; document-not-found: no such document under this step' },
    429,
    503,
  )
  async download(
    @Param('collection') collection: string,
    @Param('code') code: string,
    @Param('step') step: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const owner = ownerFromPath(collection, code);
    const document = await this.documents.find(owner.kind, owner.code, step, id);
    res.set({ 'X-Content-Type-Options': 'nosniff', ...digestHeaders(document.sha256) });
    return new StreamableFile(document.content, { type: 'application/pdf', disposition: attachmentDisposition(document.filename), length: document.size });
  }
}
