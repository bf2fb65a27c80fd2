import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches, ValidateIf } from 'class-validator';
import { EXPORT_FORMATS, LANGUAGES, OVERVIEW_SORTS, OVERVIEW_STATES, OVERVIEW_VIEWS } from '../../../../libs/contracts/enums';
import type { ExportFormat, Language, OverviewSort, OverviewState, OverviewView } from '../../../../libs/contracts/enums';
import { CODE_FORMATS, type CodeKind } from '../edge/inputs';
import { oneOfMessage } from '../errors/validation';

/**
 * The overview's filters, as the page's GET form sends them: a select left at "all" sends the empty
 * string, so each filter is left out, empty (all), or valid. The OpenAPI says exactly that.
 */
const unset = (value: unknown) => value !== undefined && value !== '';

function FilterCode(kind: CodeKind, field: string, description: string): PropertyDecorator {
  const format = CODE_FORMATS[kind];
  return applyDecorators(
    ApiPropertyOptional({ type: String, pattern: `^(?:${format.pattern.source.replace(/^\^|\$$/g, '')})?$`, example: format.example, description: `${description}; empty: all` }),
    ValidateIf((_o, v) => unset(v)),
    Matches(format.pattern, { message: `${field} must be ${format.what} such as ${format.example}, or empty` }),
  );
}

function FilterChoice(values: readonly string[], field: string, description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ enum: ['', ...values], description: `${description}; empty: the default` }),
    ValidateIf((_o, v) => unset(v)),
    IsIn(values, { message: oneOfMessage(field, values) }),
  );
}

export const SORT_DIRECTIONS = ['asc', 'desc'] as const;

export class OverviewQuery {
  @FilterCode('stepKey', 'step', 'The step the map and table show (default: the first municipal step)')
  step?: string;

  @FilterChoice(OVERVIEW_VIEWS, 'view', 'municipalities, or regions (for the steps of region scope)')
  view?: OverviewView | '';

  @FilterCode('province', 'province', 'Only this province')
  province?: string;

  @FilterCode('region', 'region', 'Only this region')
  region?: string;

  @FilterChoice(OVERVIEW_STATES, 'state', 'Only owners in this state (the legend still counts all)')
  state?: OverviewState | '';

  @FilterChoice(OVERVIEW_SORTS, 'sort', 'What the table sorts by (default: name)')
  sort?: OverviewSort | '';

  @FilterChoice(SORT_DIRECTIONS, 'dir', 'Ascending or descending')
  dir?: (typeof SORT_DIRECTIONS)[number] | '';

  @FilterChoice(LANGUAGES, 'lang', 'The page\'s language (default Dutch)')
  lang?: Language | '';
}

export class OverviewExportQuery extends OverviewQuery {
  @FilterChoice(EXPORT_FORMATS, 'format', 'csv (default) or xlsx')
  format?: ExportFormat | '';

  @FilterChoice(['all'] as const, 'steps', 'all: every step (the whole overview), not only `step`')
  steps?: 'all' | '';
}
