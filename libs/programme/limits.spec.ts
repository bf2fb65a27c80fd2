import { checkDate, checkText, checkUrl, DATE_RANGE, TEXT_LIMITS } from './limits';

describe('input limits', () => {
  it('bound every text kind and refuse control characters (a reason or note may span lines)', () => {
    for (const kind of Object.keys(TEXT_LIMITS) as (keyof typeof TEXT_LIMITS)[]) {
      const max = TEXT_LIMITS[kind];
      expect(checkText('a'.repeat(max), 'f', kind)).toBeNull();
      expect(checkText('a'.repeat(max + 1), 'f', kind)).toMatchObject({ code: 'text-too-long', field: 'f', facts: { max: String(max) } });
      expect(checkText('a\u0000b', 'f', kind)).toMatchObject({ code: 'control-character', field: 'f' });
      expect(checkText('a\u001bb', 'f', kind)).toMatchObject({ code: 'control-character' });
    }
    expect(checkText('regel 1\nregel 2\ttab', 'reason', 'reason')).toBeNull();
    expect(checkText('Naam\nAnder', 'by', 'actor')).toMatchObject({ code: 'control-character' });
    expect(checkText(' ', 'by', 'actor')).toMatchObject({ code: 'field-required' });
    expect(checkText(undefined, 'note', 'note', false)).toBeNull();
    expect(checkText(42, 'note', 'note', false)).toMatchObject({ code: 'field-invalid' });
  });

  it('take real calendar days within the planner\'s range, naming both ends', () => {
    expect(checkDate('2027-02-28', 'd')).toBeNull();
    expect(checkDate('2027-02-30', 'd')).toMatchObject({ code: 'date-invalid' });
    expect(checkDate('1-2-2027', 'd')).toMatchObject({ code: 'date-invalid' });
    for (const out of ['2013-12-31', '2100-01-01', '9999-12-31']) {
      expect(checkDate(out, 'to')).toMatchObject({ code: 'date-out-of-range', field: 'to', facts: { min: DATE_RANGE.min, max: DATE_RANGE.max } });
    }
    expect(checkDate(DATE_RANGE.min, 'd')).toBeNull();
    expect(checkDate(DATE_RANGE.max, 'd')).toBeNull();
  });

  it('take http(s) links only', () => {
    expect(checkUrl('https://zoek.officielebekendmakingen.nl/gmb-2027-1.html', 'url')).toBeNull();
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://x.example/a', 'https://a b', 'https://a\u0000b']) {
      expect(checkUrl(bad, 'url')).toMatchObject({ field: 'url' });
    }
    expect(checkUrl(undefined, 'url')).toBeNull();
  });
});
