import { Body, Controller, Get, HttpStatus, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { findRulebook, RulebookConflictError, storeRulebook } from '../../../../libs/db/rulebook-store';
import { hashRulebook } from '../../../../libs/rulebook/rulebook-files';
import { parseRulebook, RulebookValidationError } from '../../../../libs/rulebook/rulebook.schema';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { RegieError } from '../errors/regie-error';

@ApiTags('rulebooks')
@Controller('rulebooks')
export class RulebooksController {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Stored rulebook versions' })
  async list() {
    const rows = await this.dataSource.query(
      `SELECT id, content->>'title' AS title, content->>'effectiveDate' AS "effectiveDate", content_hash AS hash, source, published_at AS "publishedAt"
       FROM rulebook_version ORDER BY published_at, id`,
    );
    return rows;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rulebook version with its content hash' })
  async get(@Param('id') id: string) {
    const found = await findRulebook(this.dataSource, id);
    if (!found) throw new RegieError('rulebook-not-found', 'not-found', `Regelboek ${id} bestaat niet / Unknown rulebook version`, 'id');
    return { ...found.rulebook, hash: found.hash };
  }

  @Post()
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiBody({ description: 'A rulebook version (see libs/rulebook/versions for the shape)' })
  @ApiOperation({ summary: 'Publish an immutable rulebook version; 201 stored, 200 same content already stored, 409 other content under that id' })
  async publish(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    let hashed;
    try {
      hashed = hashRulebook(parseRulebook(body, 'request body'));
    } catch (err) {
      if (!(err instanceof RulebookValidationError)) throw err;
      const [first] = err.issues;
      throw new RegieError('invalid-rulebook', 'invalid-input', `Ongeldig regelboek, veld ${first.field}: ${first.message}`, first.field);
    }
    try {
      const result = await storeRulebook(this.dataSource, hashed, 'operator');
      res.status(result === 'stored' ? HttpStatus.CREATED : HttpStatus.OK);
      return { id: hashed.rulebook.id, hash: hashed.hash, result };
    } catch (err) {
      if (err instanceof RulebookConflictError) throw new RegieError('rulebook-conflict', 'conflict', err.message, 'id');
      throw err;
    }
  }
}
