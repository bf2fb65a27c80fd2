import { ParsedMail, simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

/** A real SMTP server in the test process (nodemailer's smtp-server); the test reads back what it received. */
export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  private server!: SMTPServer;
  port = 0;

  static async start(): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher();
    catcher.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            catcher.mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => catcher.server.listen(0, '127.0.0.1', resolve));
    catcher.port = (catcher.server.server.address() as AddressInfo).port;
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  withBusinessKey(key: string): CaughtMail[] {
    return this.mails.filter((m) => m.parsed.headers.get('x-regie-business-key') === key);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
