import { roleSchema } from '../rulebook/rulebook.schema';
import { isMandatoryNotice, ROLES } from './index';
import {
  calendarUid,
  digestBusinessKey,
  escalationFiringKey,
  messageIdFromHash,
  messageIdSource,
  notificationBusinessKey,
  ownerWorkflowId,
  parseDigestBusinessKey,
  parseFiringKey,
  parseNotificationBusinessKey,
  parseStepInstanceKey,
  reminderFiringKey,
  stepInstanceKey,
} from './keys';

describe('business keys', () => {
  it('builds the workflow IDs a person finds in the Temporal UI', () => {
    expect(ownerWorkflowId({ kind: 'municipality', code: 'GM0363' })).toBe('programme-GM0363');
    expect(ownerWorkflowId({ kind: 'region', code: 'CR23' })).toBe('region-CR23');
  });

  it('a step instance and a notification key read back into what they were built from', () => {
    expect(stepInstanceKey('prestatieafspraken', 2027)).toBe('prestatieafspraken:2027');
    expect(parseStepInstanceKey('prestatieafspraken:2027')).toEqual({ stepKey: 'prestatieafspraken', cycleYear: 2027 });
    expect(parseStepInstanceKey('volkshuisvestingsprogramma')).toEqual({ stepKey: 'volkshuisvestingsprogramma', cycleYear: null });
    expect(() => parseStepInstanceKey('a:b')).toThrow('not a step instance key');

    const key = notificationBusinessKey('programme-GM0363', 'prestatieafspraken:2027', '2027-12-15', escalationFiringKey(2));
    expect(key).toBe('programme-GM0363:prestatieafspraken:2027:2027-12-15:escalation-2');
    expect(parseNotificationBusinessKey(key)).toEqual({ workflowId: 'programme-GM0363', step: 'prestatieafspraken:2027', dueDate: '2027-12-15', firingKey: 'escalation-2' });
    expect(parseFiringKey('escalation-2')).toEqual({ kind: 'escalation', rung: 2 });
    expect(parseFiringKey(reminderFiringKey(180))).toEqual({ kind: 'reminder', offsetDays: 180 });
    expect(parseFiringKey('deadline-passed')).toEqual({ kind: 'deadline' });
    expect(parseFiringKey('change-notice')).toEqual({ kind: 'change-notice' });
  });

  it('a digest key names its week, organisation and recipient', () => {
    const key = digestBusinessKey('2031-01-06', 'gemeente-amsterdam', 'pm@amsterdam.example');
    expect(key).toBe('digest:2031-01-06:gemeente-amsterdam:pm@amsterdam.example');
    expect(parseDigestBusinessKey(key)).toEqual({ weekOf: '2031-01-06', organisationKey: 'gemeente-amsterdam', recipient: 'pm@amsterdam.example' });
  });

  it('Message-ID and calendar UID keep their formats (mail clients and calendars already hold them)', () => {
    expect(messageIdSource('k', 'a@b.example')).toBe('k\na@b.example');
    expect(messageIdFromHash('0123456789abcdef0123456789abcdef0123456789abcdef')).toBe('<0123456789abcdef0123456789abcdef01234567@regie>');
    expect(calendarUid('programme-GM0363', 'prestatieafspraken:2028')).toBe('programme-GM0363.prestatieafspraken:2028@regie');
  });
});

describe('enumerations', () => {
  it('ROLES is the rulebook schema role list, in its order', () => {
    expect(roleSchema.options).toEqual([...ROLES]);
  });
});

describe('isMandatoryNotice', () => {
  it('only an escalation can be mandatory; `mandatory` wins, `statutory` serves requests recorded before it', () => {
    expect(isMandatoryNotice({ kind: 'escalation', mandatory: true })).toBe(true);
    expect(isMandatoryNotice({ kind: 'escalation', mandatory: false, statutory: true })).toBe(false);
    expect(isMandatoryNotice({ kind: 'escalation', statutory: true })).toBe(true);
    expect(isMandatoryNotice({ kind: 'escalation' })).toBe(false);
    expect(isMandatoryNotice({ kind: 'reminder', mandatory: true, statutory: true })).toBe(false);
  });
});
