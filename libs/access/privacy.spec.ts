import { acknowledgementWithoutRecipient, detailWithoutPersonalData, sentLogCounts } from './privacy';

describe('personal data for others than the owner, its province and the operator', () => {
  it('turns a sent log entry into counts', () => {
    const entry = {
      businessKey: 'k',
      kind: 'reminder',
      recipients: ['a@x.nl', 'b@x.nl'],
      messageId: '<m@regie>',
      deliveries: [
        { recipient: 'a@x.nl', status: 'sent', smtpResponse: '250 OK', messageId: '<m1>' },
        { recipient: 'b@x.nl', status: 'pending', smtpResponse: null, messageId: '<m2>' },
      ],
    };
    const counted = sentLogCounts(entry);
    expect(counted).toEqual({ businessKey: 'k', kind: 'reminder', recipientCount: 2, deliveryCounts: { sent: 1, pending: 1 } });
    expect(JSON.stringify(counted)).not.toMatch(/@/);
  });

  it('drops who acknowledged, and addresses anywhere in a history detail', () => {
    expect(acknowledgementWithoutRecipient({ recipient: 'a@x.nl', action: 'acknowledge' })).toEqual({ action: 'acknowledge' });
    expect(detailWithoutPersonalData({ by: 'Petra (Gemeente X, programme-manager)', programmeManagerEmail: 'p@x.nl', note: 'mail p@x.nl', list: [{ email: 'q@x.nl', n: 1 }] })).toEqual({
      by: 'Petra (Gemeente X, programme-manager)',
      note: 'mail [adres]',
      list: [{ n: 1 }],
    });
  });
});
