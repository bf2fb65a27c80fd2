import { ParsedMail, simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface SmtpCatcherOptions {
  /** Listen on this port (a restarted server takes its predecessor's port); default a free one. */
  port?: number;
  /** Refuse these recipients at RCPT TO with a permanent 550, as a server without such a mailbox does. */
  refuse?: (address: string) => boolean;
  /** Runs after a message's data arrived and before the server answers 250: a mail counts as received only once it resolves. */
  beforeAccept?: (mail: CaughtMail) => Promise<void> | void;
  /** Runs right after the server answered 250 for a message. */
  afterAccept?: (mail: CaughtMail) => void;
}

/**
 * A real SMTP server in the test process (nodemailer's smtp-server); the test reads back what it accepted.
 * A mail counts once the server answered 250 for it, as for a real relay.
 */
export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  private server!: SMTPServer;
  port = 0;

  static async start(opts: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher();
    catcher.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Closing answers 421 to open (pooled) connections at once instead of waiting for their clients.
      closeTimeout: 100,
      onRcptTo: (address, _session, callback) => {
        if (!opts.refuse?.(address.address)) return callback();
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: no such user`), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (parsed) => {
            const mail = { envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed };
            await opts.beforeAccept?.(mail);
            catcher.mails.push(mail);
            callback();
            opts.afterAccept?.(mail);
          })
          .catch(callback);
      },
    });
    // A client that vanishes (a dispatcher killed mid-mail) resets its socket: expected here, not a test failure.
    catcher.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
    });
    await new Promise<void>((resolve, reject) => {
      catcher.server.server.once('error', reject);
      catcher.server.listen(opts.port ?? 0, '127.0.0.1', resolve);
    });
    catcher.port = (catcher.server.server.address() as AddressInfo).port;
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  withBusinessKey(key: string): CaughtMail[] {
    return this.mails.filter((m) => m.parsed.headers.get('x-regie-business-key') === key);
  }

  /** Stops listening and drops the open connections (a server going down). */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
