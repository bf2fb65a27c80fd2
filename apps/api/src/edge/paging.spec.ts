import { RegieError } from '../errors/regie-error';
import { decodeCursor, encodeCursor, Keyset, PAGE_LIMITS, Paged, PageQuery } from './paging';

const byMoment = new Keyset([
  { sql: 't.at', type: 'timestamp' },
  { sql: 't.key', type: 'text' },
]);
const byId = new Keyset([{ sql: 't.id', type: 'bigint' }], 'desc');
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const refused = (cursor: string, keyset: Keyset) => {
  try {
    decodeCursor(cursor, keyset);
  } catch (err) {
    return err instanceof RegieError ? `${err.code} ${err.category} ${err.field}` : String(err);
  }
  return 'taken';
};

describe('cursor', () => {
  it('is base64url of the JSON of the sort key, and comes back as it went', () => {
    const cursor = encodeCursor(['2027-04-01T07:00:00.123456Z', 'a/b:c ü']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString())).toEqual(['2027-04-01T07:00:00.123456Z', 'a/b:c ü']);
    expect(decodeCursor(cursor, byMoment)).toEqual(['2027-04-01T07:00:00.123456Z', 'a/b:c ü']);
    expect(decodeCursor(encodeCursor(['42']), byId)).toEqual(['42']);
  });

  it.each([
    ['not base64url', 'a+b/c'],
    ['padded', `${cursorOf(['1'])}=`],
    ['stray bits (not canonical)', cursorOf(['1']).slice(0, -1) + 'z'],
    ['not JSON', Buffer.from('[1').toString('base64url')],
    ['not UTF-8', Buffer.from([0xc3, 0x28]).toString('base64url')],
    ['not a list', cursorOf({ id: '1' })],
    ['too few values', cursorOf([])],
    ['too many values', cursorOf(['1', '2'])],
    ['a number, not its text', cursorOf([1])],
    ['past bigint', cursorOf(['99999999999999999999'])],
    ['a leading zero', cursorOf(['01'])],
  ])('refuses %s with cursor-invalid', (_, cursor) => {
    expect(refused(cursor, byId)).toBe('cursor-invalid invalid-input cursor');
  });

  it.each(['2027-02-30T00:00:00.000000Z', '2027-01-01T24:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000000+01:00', 'now'])(
    'refuses a moment Postgres would not take as this API writes it: %s',
    (moment) => expect(refused(cursorOf([moment, 'k']), byMoment)).toBe('cursor-invalid invalid-input cursor'),
  );

  it('refuses a control character in a text value, and a cursor past its length', () => {
    expect(refused(cursorOf(['2027-01-01T00:00:00.000000Z', 'a\u0000']), byMoment)).toBe('cursor-invalid invalid-input cursor');
    expect(refused('A'.repeat(PAGE_LIMITS.cursorLength + 1), byId)).toBe('cursor-invalid invalid-input cursor');
  });
});

describe('@Paged', () => {
  it('refuses a route that takes no PageQuery, when the controller loads', () => {
    expect(() => {
      class Controller {
        @Paged(429)
        list(_key: string) {
          return [];
        }
      }
      return Controller;
    }).toThrow(/must take a PageQuery/);
    expect(() => {
      class Query extends PageQuery {}
      class Controller {
        @Paged(429)
        list(_query: Query) {
          return [];
        }
      }
      return Controller;
    }).not.toThrow();
  });
});
