import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TEXT_LIMITS } from '../../../../libs/programme/limits';
import { flattenValidationErrors, validationProblem } from '../errors/validation';
import { RegieError } from '../errors/regie-error';
import { ExtensionDto, ProgressDto, StepListQuery } from '../steps/steps.dto';
import { jsonBodyProblem, parserError } from './http-edge';
import { ownerFromPath, requirePathParam } from './path-params';
import { RATE_LIMIT_DEFAULTS, readRateLimits } from './rate-limits';

/** The first problem the validation pipe would report for `body` as a `cls`. */
function problem<T extends object>(cls: new () => T, body: object) {
  const [first] = flattenValidationErrors(validateSync(plainToInstance(cls, body), { whitelist: true, forbidNonWhitelisted: true }));
  return first ? validationProblem(first.error, first.field) : null;
}

describe('DTO checks keep the step model’s codes', () => {
  it('texts: length, control characters, required', () => {
    expect(problem(ExtensionDto, { to: '2028-01-03', reason: 'r'.repeat(TEXT_LIMITS.reason + 1) })).toMatchObject({ code: 'text-too-long', field: 'reason' });
    expect(problem(ExtensionDto, { to: '2028-01-03', reason: 'a\u0000b' })).toMatchObject({ code: 'control-character', field: 'reason' });
    expect(problem(ExtensionDto, { to: '2028-01-03', reason: 'twee\nregels' })).toBeNull();
    expect(problem(ExtensionDto, { to: '2028-01-03', reason: ' ' })).toMatchObject({ code: 'field-required', field: 'reason' });
    expect(problem(ProgressDto, { note: null })).toMatchObject({ code: 'field-invalid', field: 'note' });
  });

  it('who wrote a step is the signed-in actor, no input: by and grantedBy are refused as unknown fields', () => {
    expect(problem(ExtensionDto, { to: '2028-01-03', reason: 'r', grantedBy: 'P' })).toMatchObject({ code: 'invalid-input', field: 'grantedBy' });
    expect(problem(ProgressDto, { by: 'x' })).toMatchObject({ code: 'invalid-input', field: 'by' });
  });

  it('dates: real days in range, the message in Dutch first and naming both ends', () => {
    expect(problem(ExtensionDto, { to: '2027-02-30', reason: 'r' })).toMatchObject({ code: 'date-invalid', field: 'to' });
    const out = problem(ExtensionDto, { to: '9999-12-31', reason: 'r' });
    expect(out).toMatchObject({ code: 'date-out-of-range', field: 'to' });
    expect(out!.message).toMatch(/^Veld to moet liggen tussen 2014-01-01 en 2099-12-31.* \/ to must lie from 2014-01-01 through 2099-12-31$/);
  });

  it('checklist values are booleans; boolean query values exactly true or false', () => {
    expect(problem(ProgressDto, { checklist: { doorstroming: 'nope' } })).toMatchObject({ code: 'checklist-value-invalid', field: 'checklist.doorstroming' });
    expect(problem(ProgressDto, { checklist: { doorstroming: false } })).toBeNull();
    for (const bad of ['1', '0', 'TRUE', 'yes', '']) expect(problem(StepListQuery, { overdue: bad })).toMatchObject({ field: 'overdue' });
    for (const good of ['true', 'false']) expect(problem(StepListQuery, { overdue: good })).toBeNull();
  });
});

describe('path parameters', () => {
  it('find nothing by a prototype name, and name the parameter without echoing it', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(() => ownerFromPath(name, 'GM0363')).toThrow(expect.objectContaining({ category: 'not-found', field: 'collection' }));
    }
    expect(ownerFromPath('regions', 'CR23')).toEqual({ kind: 'region', code: 'CR23' });
    expect(() => ownerFromPath('regions', 'GM0363')).toThrow(expect.objectContaining({ field: 'code' }));
    expect(() => requirePathParam('step', 'x\u0000', 'stepInstance')).toThrow(expect.objectContaining({ userMessage: expect.not.stringContaining('\u0000') }));
    expect(requirePathParam('step', 'prestatieafspraken:2027', 'stepInstance')).toBe('prestatieafspraken:2027');
  });
});

describe('bodies', () => {
  it('refuses deep nesting without recursing, and keys every object already has', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonBodyProblem(deep)).toMatchObject({ code: 'body-too-deep' });
    expect(jsonBodyProblem({ a: { b: [{ c: 1 }] } })).toBeNull();
    expect(jsonBodyProblem(JSON.parse('{"a":[{"__proto__":{"x":1}}]}'))).toMatchObject({ field: 'a.0.__proto__' });
    expect(jsonBodyProblem({ steps: { constructor: {} } })).toMatchObject({ field: 'steps.constructor' });
  });

  it('maps the body parsers’ errors to their statuses, and leaves other errors alone', () => {
    const httpError = (status: number, type?: string) => Object.assign(new Error('x'), { status, expose: true, ...(type ? { type } : {}) });
    expect(parserError(httpError(413, 'entity.too.large'))).toMatchObject({ category: 'too-large' });
    expect(parserError(httpError(415, 'charset.unsupported'))).toMatchObject({ code: 'unsupported-charset' });
    expect(parserError(httpError(400))).toMatchObject({ code: 'malformed-body' });
    expect(parserError(new Error('boom'))).toBeNull();
    expect(parserError(Object.assign(new Error('x'), { status: 500, type: 'stream.not.readable', expose: false }))).toBeNull();
    expect(parserError(new RegieError('x', 'conflict', 'x'))).toBeNull();
  });
});

describe('rate limits from the environment', () => {
  it('has documented defaults and refuses a bad value by name', () => {
    expect(readRateLimits({})).toEqual(RATE_LIMIT_DEFAULTS);
    expect(readRateLimits({ REGIE_RATE_LIMIT: '50', REGIE_MAIL_LINK_REFUSAL_LIMIT: '5' })).toEqual({ perMinute: 50, mailLinkRefusals: 5, signIns: 10 });
    expect(readRateLimits({ REGIE_SIGN_IN_LIMIT: '3' })).toEqual({ ...RATE_LIMIT_DEFAULTS, signIns: 3 });
    for (const bad of ['0', '-1', '1.5', 'many', '1e3']) {
      expect(() => readRateLimits({ REGIE_RATE_LIMIT: bad })).toThrow(/^REGIE_RATE_LIMIT /);
      expect(() => readRateLimits({ REGIE_MAIL_LINK_REFUSAL_LIMIT: bad })).toThrow(/^REGIE_MAIL_LINK_REFUSAL_LIMIT /);
      expect(() => readRateLimits({ REGIE_SIGN_IN_LIMIT: bad })).toThrow(/^REGIE_SIGN_IN_LIMIT /);
    }
  });
});
