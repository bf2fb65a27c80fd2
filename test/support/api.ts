import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { RegieConfig } from '../../libs/config/config';
import { createApiApp } from '../../apps/api/src/create-app';
import { TEST_ADMIN_TOKEN } from './config';

/** The real HTTP app (same bootstrap as production) listening on a free port, with a small fetch client. */
export class TestApi {
  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    /** The address the API believes it has (PUBLIC_BASE_URL): links in mail, and the Origin its pages send. */
    readonly publicBaseUrl: string,
  ) {}

  /** `port` 0 (the default) lets the system pick a free one; a browser test passes the port of PUBLIC_BASE_URL. */
  static async start(config: RegieConfig, listenPort = 0): Promise<TestApi> {
    const app = await createApiApp(config, false);
    await app.listen(listenPort, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new TestApi(app, `http://127.0.0.1:${port}`, config.http.publicBaseUrl);
  }

  async request(method: string, path: string, body?: unknown, token: string | null = TEST_ADMIN_TOKEN, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as any };
  }

  /**
   * A page behind a signed link, as a browser or a mail provider's one-click unsubscribe asks for it: no
   * admin token, no cookies; a form body urlencoded (a plain object) or multipart (FormData). Answers the HTML.
   */
  async page(method: 'GET' | 'POST', path: string, form?: Record<string, string> | FormData) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      body: form === undefined ? undefined : form instanceof FormData ? form : new URLSearchParams(form),
    });
    return { status: res.status, headers: res.headers, html: await res.text() };
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
