/**
 * The edge's bound on multipart bodies, with the reader the document form uses (multer, as Nest's
 * FileInterceptor runs it) on a real HTTP server: a declared Content-Length over the limit is refused before
 * the body is sent, a chunked body without one is refused once the count passes the limit, and a body
 * within it reaches the route whole.
 */
import express from 'express';
import type { ErrorRequestHandler } from 'express';
import { once } from 'node:events';
import { request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegieError } from '../errors/regie-error';
import { boundedMultipart, multipartLimit } from './http-edge';
import { BODY_LIMITS } from './inputs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const multer = require('multer') as (opts: object) => { single(field: string): express.RequestHandler };

const DOCUMENT_FORM = '/app/municipalities/GM0363/steps/volkshuisvestingsprogramma/complete';
const BOUNDARY = 'regie-boundary';
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use(boundedMultipart);
  const upload = multer({ storage: require('multer').memoryStorage() }).single('document');
  app.post(['/app/:collection/:code/steps/:step/complete', '/mail/unsubscribe/:token'], upload, (req, res) => {
    res.json({ size: (req as unknown as { file?: { size: number } }).file?.size ?? null });
  });
  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    res.status(err instanceof RegieError && err.category === 'too-large' ? 413 : 500).json({ error: err instanceof RegieError ? err.code : String(err) });
  };
  app.use(errors);
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function form(fileBytes: number): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="besluit.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    Buffer.alloc(fileBytes, 0x41),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** Posts the body in 64 kB chunks, chunked (no Content-Length) or with a declared length; stops writing once the answer is there. */
function post(path: string, body: Buffer, opts: { chunked?: boolean; declaredLength?: number } = {}): Promise<{ status: number; body: any; written: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    if (!opts.chunked) headers['content-length'] = String(opts.declaredLength ?? body.length);
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers });
    let written = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()), written }));
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const write = () => {
      while (!answered && written < body.length) {
        const chunk = body.subarray(written, written + 64 * 1024);
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

describe('multipart bodies at the edge', () => {
  it('the document form may carry the document and a little more; every other page form BODY_LIMITS.form', () => {
    expect(multipartLimit(DOCUMENT_FORM)).toBe(BODY_LIMITS.documentForm);
    expect(multipartLimit(`${DOCUMENT_FORM}/`)).toBe(BODY_LIMITS.documentForm);
    expect(multipartLimit('/app/regions/CR23/steps/overlegstructuur/complete')).toBe(BODY_LIMITS.documentForm);
    for (const path of ['/app/municipalities/GM0363/steps/volkshuisvestingsprogramma/progress', '/app/municipalities/GM0363/steps/x/complete/more', '/app/steps/complete', '/mail/unsubscribe/x']) {
      expect(multipartLimit(path)).toBe(BODY_LIMITS.form);
    }
  });

  it('reaches the route whole within the limit, declared or chunked', async () => {
    const size = BODY_LIMITS.documentForm - 1024;
    expect(await post(DOCUMENT_FORM, form(size))).toMatchObject({ status: 200, body: { size } });
    expect(await post(DOCUMENT_FORM, form(size), { chunked: true })).toMatchObject({ status: 200, body: { size } });
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const answer = await post(DOCUMENT_FORM, form(21 * 1024 * 1024), { declaredLength: 21 * 1024 * 1024 + 200 });
    expect(answer).toMatchObject({ status: 413, body: { error: 'body-too-large' } });
    expect(answer.written).toBeLessThan(BODY_LIMITS.documentForm);
  });

  it('refuses a chunked body once its count passes the limit, on the document form and on any other page form', async () => {
    expect(await post(DOCUMENT_FORM, form(21 * 1024 * 1024), { chunked: true })).toMatchObject({ status: 413, body: { error: 'body-too-large' } });
    expect(await post('/mail/unsubscribe/x', form(BODY_LIMITS.form), { chunked: true })).toMatchObject({ status: 413, body: { error: 'body-too-large' } });
    expect(await post('/mail/unsubscribe/x', form(1000), { chunked: true })).toMatchObject({ status: 200, body: { size: 1000 } });
  });
});
